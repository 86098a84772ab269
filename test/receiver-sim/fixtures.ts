/**
 * Fixture files for the stream server: generated once with ffmpeg lavfi into a cache directory
 * (test/fixtures/make-fixtures.sh for the shared ones, a small radio fixture generated here), loaded and
 * analysed once per process, shared by every stream.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FixtureName } from './model.js';
import { analyseFixture, type TsFixture } from './ts/fixture.js';

const run = promisify(execFile);

const SCRIPT = join('test', 'fixtures', 'make-fixtures.sh');
const GENERATION_TIMEOUT_MS = 10 * 60_000;
const SHARED_FIXTURES: readonly FixtureName[] = [
  't1_720p50_ac3_mp2',
  't2_1080i_eac3_ad_wrap',
  't3_576i_mpeg2',
  't4_720p_eac3',
];

export class FixtureUnavailableError extends Error {
  readonly code = 'SIM_FIXTURE_UNAVAILABLE';
}

/** The repository root: the nearest ancestor of this module holding test/fixtures/make-fixtures.sh. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, SCRIPT))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new FixtureUnavailableError(`cannot find ${SCRIPT} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function defaultFixtureDir(): string {
  return process.env['E2GATE_FIXTURE_DIR'] ?? join(repoRoot(), '.cache', 'fixtures');
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

/** Audio-only radio service in two languages (MP2 stereo, PCR on an audio PID), a few seconds of ffmpeg work. */
async function makeRadioFixture(target: string): Promise<void> {
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await run(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=523:sample_rate=48000'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=659:sample_rate=48000'],
      ...['-map', '0:a', '-map', '1:a', '-t', '20'],
      ...['-c:a', 'mp2', '-b:a', '192k', '-ac', '2'],
      ...['-metadata:s:a:0', 'language=deu', '-metadata:s:a:1', 'language=eng'],
      ...[
        '-mpegts_service_type',
        'digital_radio',
        '-mpegts_flags',
        'system_b',
        '-metadata',
        'service_name=Radio',
      ],
      ...['-f', 'mpegts', tmp],
    ],
    { timeout: GENERATION_TIMEOUT_MS },
  );
  await rename(tmp, target);
}

async function generate(name: FixtureName, dir: string, target: string): Promise<void> {
  if (name === 'sim_radio_mp2') return makeRadioFixture(target);
  await run('bash', [join(repoRoot(), SCRIPT), name], {
    timeout: GENERATION_TIMEOUT_MS,
    env: { ...process.env, E2GATE_FIXTURE_DIR: dir },
  });
}

const loaded = new Map<string, Promise<TsFixture>>();

/** Loads (generating on first use) and analyses a fixture; concurrent callers share one promise. */
export function loadFixture(name: FixtureName, dir = defaultFixtureDir()): Promise<TsFixture> {
  const target = resolve(dir, `${name}.ts`);
  let pending = loaded.get(target);
  if (!pending) {
    pending = (async () => {
      if (!(await nonEmpty(target))) {
        try {
          await generate(name, dir, target);
        } catch (error) {
          throw new FixtureUnavailableError(
            `cannot generate fixture ${name} in ${dir}: ${(error as Error).message}`,
          );
        }
      }
      return analyseFixture(name, await readFile(target));
    })();
    pending.catch(() => loaded.delete(target));
    loaded.set(target, pending);
  }
  return pending;
}

/** Generates every fixture the simulator can serve (the CLI does this at start so the first zap is quick). */
export async function prepareFixtures(dir = defaultFixtureDir()): Promise<void> {
  for (const name of [...SHARED_FIXTURES, 'sim_radio_mp2' as const]) await loadFixture(name, dir);
}
