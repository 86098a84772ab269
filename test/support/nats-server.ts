import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const CANDIDATES = [
  process.env['NATS_SERVER_BIN'],
  '/usr/sbin/nats-server',
  '/usr/bin/nats-server',
  '/usr/local/bin/nats-server',
];

export interface RunningNatsServer {
  url: string;
  storeDir: string;
  stop(): Promise<void>;
}

export function findNatsServerBinary(): string {
  const found = CANDIDATES.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found) {
    throw new Error(
      'nats-server not found. Install it with "apt-get install nats-server" (or run "npm run setup"), ' +
        'or point NATS_SERVER_BIN at the binary.',
    );
  }
  return found;
}

/**
 * Starts a real nats-server with JetStream (on a free port unless `port` is given); resolves once the client
 * port is known. Used by the test harness and by the `npm start` launcher.
 */
export async function startNatsServer(
  options: { storeDir?: string; port?: number } = {},
): Promise<RunningNatsServer> {
  const binary = findNatsServerBinary();
  const workDir = mkdtempSync(join(tmpdir(), 'e2gate-nats-'));
  const storeDir = options.storeDir ?? join(workDir, 'js');
  const port = options.port ? String(options.port) : '-1';
  const child = spawn(
    binary,
    ['-a', '127.0.0.1', '-p', port, '-js', '-sd', storeDir, '--ports_file_dir', workDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // nats-server reads no variable of ours: hand it none (receiver credentials stay with the catalog).
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = await waitForPortsFile(child, workDir, () => stderr);
  return {
    url,
    storeDir,
    stop: async () => {
      await stopChild(child);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

async function waitForPortsFile(child: ChildProcess, dir: string, stderr: () => string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`nats-server exited (${child.exitCode}): ${stderr()}`);
    const file = readdirSync(dir).find((name) => name.endsWith('.ports'));
    if (file) {
      const content = readFileSync(join(dir, file), 'utf8');
      if (content.trim()) {
        const ports = JSON.parse(content) as { nats: string[] };
        const url = ports.nats[0];
        if (url) return url.replace('0.0.0.0', '127.0.0.1');
      }
    }
    await delay(25);
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server did not report its port in time: ${stderr()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killTimer);
}
