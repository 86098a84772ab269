import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Unpacked by scripts/setup.sh from Debian's prometheus package (installing it would start a server). */
const UNPACKED = fileURLToPath(new URL('../../.cache/promtool/usr/bin/promtool', import.meta.url));

/** `$PROMTOOL`, else the one scripts/setup.sh unpacked, else `promtool` on PATH. */
export function promtoolPath(): string {
  const fromEnv = process.env['PROMTOOL'];
  if (fromEnv) return fromEnv;
  try {
    accessSync(UNPACKED, constants.X_OK);
    return UNPACKED;
  } catch {
    return 'promtool';
  }
}

export interface PromtoolResult {
  code: number;
  output: string;
}

/** Runs promtool with `args`; exit code and everything it printed. */
export async function promtool(args: string[], cwd?: string): Promise<PromtoolResult> {
  try {
    const { stdout, stderr } = await run(promtoolPath(), args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** `promtool check metrics` over an exposition (what `/metrics` answered): its problems, one per line. */
export function checkMetrics(exposition: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtoolPath(), ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(exposition);
  });
}
