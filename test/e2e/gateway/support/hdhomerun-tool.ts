import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SHIM_SOURCE = new URL('./hdhr-port-shim/sendto-port-shim.c', import.meta.url).pathname;
export const STANDARD_DISCOVERY_PORT = 65001;

/**
 * Runs `hdhomerun_config discover <ip>` (Debian `hdhomerun-config`). The tool only ever talks to UDP 65001; for any
 * other port it is pointed there by an LD_PRELOAD shim (compiled here with cc) that rewrites the destination port
 * of its sendto() calls.
 */
export async function hdhomerunDiscover(ip: string, port: number): Promise<{ output: string; via: string }> {
  const env = { ...process.env };
  let via = `UDP ${STANDARD_DISCOVERY_PORT} directly`;
  if (port !== STANDARD_DISCOVERY_PORT) {
    const library = join(mkdtempSync(join(tmpdir(), 'hdhr-shim-')), 'sendto-port-shim.so');
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', library, SHIM_SOURCE, '-ldl']);
    Object.assign(env, { LD_PRELOAD: library, HDHR_DISCOVER_PORT: String(port) });
    via = `UDP ${port} through the LD_PRELOAD sendto shim (HDHR_DISCOVER_PORT=${port})`;
  }
  try {
    const { stdout, stderr } = await run('hdhomerun_config', ['discover', ip], { env, timeout: 15_000 });
    return { output: stdout + stderr, via };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`, via };
  }
}
