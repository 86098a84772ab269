import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Gauge, register } from 'prom-client';

export interface BuildInfo {
  /** The release (`git describe` in an image, the package version otherwise). */
  version: string;
  /** The git commit it was built from; `unknown` when nothing says. */
  commit: string;
}

const BUILD_INFO_METRIC = 'e2gate_build_info';
let cached: BuildInfo | null = null;

/** The project version from the root package.json (found upwards from this file, in src/ and in dist/). */
export function appVersion(): string {
  return buildInfo().version;
}

/** What this process runs: see `readBuildInfo`, from the project's root. */
export function buildInfo(): BuildInfo {
  cached ??= readBuildInfo(projectRoot());
  return cached;
}

/**
 * An image's `build-info.json` (the Dockerfile writes its VERSION and COMMIT build arguments there), else the
 * package version and the commit of the git checkout (read from `.git`, no git process).
 */
export function readBuildInfo(root: string | null): BuildInfo {
  if (!root) return { version: '0.0.0', commit: 'unknown' };
  const stamped = readJson(join(root, 'build-info.json')) as Partial<BuildInfo> | null;
  const pkg = readJson(join(root, 'package.json')) as { version?: string } | null;
  return {
    version: nonEmpty(stamped?.version) ?? pkg?.version ?? '0.0.0',
    commit: nonEmpty(stamped?.commit) ?? gitCommit(join(root, '.git')) ?? 'unknown',
  };
}

/** `e2gate_build_info{version, commit} 1`, the usual way to put a release on every dashboard. Once per process. */
export function registerBuildInfo(): void {
  if (register.getSingleMetric(BUILD_INFO_METRIC)) return;
  const info = buildInfo();
  new Gauge({
    name: BUILD_INFO_METRIC,
    help: 'The running release: always 1, with the version and the git commit as labels',
    labelNames: ['version', 'commit'],
  }).set(info, 1);
}

function projectRoot(): string | null {
  let dir = import.meta.dirname;
  for (let depth = 0; depth < 6; depth++) {
    const pkg = readJson(join(dir, 'package.json')) as { name?: string } | null;
    if (pkg?.name === 'e2gate') return dir;
    dir = dirname(dir);
  }
  return null;
}

function gitCommit(dotGit: string): string | null {
  // A worktree or submodule has a `.git` file naming its git dir; branches live in the common dir.
  const pointer = /^gitdir: (.+)$/.exec(readText(dotGit) ?? '')?.[1];
  const gitDir = pointer ? resolve(dirname(dotGit), pointer) : dotGit;
  const common = readText(join(gitDir, 'commondir'));
  const refsDir = common ? resolve(gitDir, common) : gitDir;
  const head = readText(join(gitDir, 'HEAD'));
  if (!head) return null;
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (!ref) return sha(head);
  const loose = readText(join(gitDir, ref)) ?? readText(join(refsDir, ref));
  if (loose) return sha(loose);
  const packed = readText(join(refsDir, 'packed-refs')) ?? '';
  for (const line of packed.split('\n')) {
    const [hash, name] = line.split(' ');
    if (name === ref) return sha(hash ?? '');
  }
  return null;
}

/** A SHA-1 or SHA-256 object name. */
function sha(text: string): string | null {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(text) ? text : null;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/** A file's text, trimmed; null for none (or a folder). */
function readText(path: string): string | null {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
  } catch {
    return null;
  }
}

function readJson(path: string): unknown {
  const text = readText(path);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
