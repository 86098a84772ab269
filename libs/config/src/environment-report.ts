import { CATALOG_VARIABLES } from './catalog.config.js';
import { GATEWAY_VARIABLES } from './gateway.config.js';
import { processEnv } from './load.js';
import { STACK_VARIABLES } from './stack.config.js';
import { TRANSCODER_VARIABLES } from './transcoder.config.js';

/** Read by the test harness and tooling, not by an app (docs/configuration.md, "Tooling and tests"). */
export const TOOLING_VARIABLES = ['E2GATE_FIXTURE_DIR', 'E2GATE_CHROMIUM'] as const;
/** Read by docker-compose.yml only (image build arguments, the host's render group): `.env` may hold them. */
export const COMPOSE_VARIABLES = ['E2GATE_VERSION', 'E2GATE_COMMIT', 'E2GATE_RENDER_GID'] as const;

/** Every `E2GATE_*`-style variable some part of e2gate reads: one `.env` may serve every app. */
export function knownVariables(): ReadonlySet<string> {
  return new Set([
    ...CATALOG_VARIABLES,
    ...GATEWAY_VARIABLES,
    ...TRANSCODER_VARIABLES,
    ...STACK_VARIABLES,
    ...TOOLING_VARIABLES,
    ...COMPOSE_VARIABLES,
  ]);
}

export interface EnvironmentReport {
  /** Each of the app's settings: given in the environment, by the gateway's settings file, or its default. */
  settings: Record<string, 'set' | 'file' | 'default'>;
  /** `E2GATE_*` variables nothing reads (a typo, or a setting of another version), with the closest real name. */
  unknown: { name: string; closest: string | null }[];
}

/** What the environment gives an app, for its start log. */
export function environmentReport(
  appVariables: readonly string[],
  env: Record<string, string | undefined> = processEnv(),
  fromFile: readonly string[] = [],
): EnvironmentReport {
  const settings: EnvironmentReport['settings'] = {};
  for (const name of appVariables) {
    const value = env[name];
    settings[name] = fromFile.includes(name)
      ? 'file'
      : value === undefined || value.trim() === ''
        ? 'default'
        : 'set';
  }
  const known = knownVariables();
  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('E2GATE_') && !known.has(name))
    .sort()
    .map((name) => ({ name, closest: closestName(name, known) }));
  return { settings, unknown };
}

/** The start log: one line with every setting's source, one warning per unknown variable. */
export function logEnvironment(
  report: EnvironmentReport,
  logger: { log(message: object, context: string): void; warn(message: string, context: string): void },
): void {
  logger.log(
    {
      msg: 'settings (set: from the environment; file: from E2GATE_SETTINGS_FILE; default: built in)',
      settings: report.settings,
    },
    'Config',
  );
  for (const { name, closest } of report.unknown) {
    logger.warn(
      `${name} is not a setting of e2gate and is ignored` + (closest ? ` (did you mean ${closest}?)` : ''),
      'Config',
    );
  }
}

/** The known name nearest to `name` by edit distance, when near enough to be a typo (a quarter of its length). */
export function closestName(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
