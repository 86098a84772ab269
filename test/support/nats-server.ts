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
  /** SIGKILL, as a crash would: clients see the connection drop mid-operation. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (after `kill`), with its store kept or wiped. */
  restart(options?: { wipeStore?: boolean }): Promise<void>;
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
  let server = await spawnServer(binary, options.port ? String(options.port) : '-1', storeDir, workDir);
  const url = server.url;
  return {
    url,
    storeDir,
    stop: async () => {
      await stopChild(server.child);
      rmSync(workDir, { recursive: true, force: true });
    },
    kill: async () => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
      server.child.kill('SIGKILL');
      await exited;
    },
    restart: async ({ wipeStore = false } = {}) => {
      await stopChild(server.child);
      if (wipeStore) rmSync(storeDir, { recursive: true, force: true });
      for (const name of readdirSync(workDir)) if (name.endsWith('.ports')) rmSync(join(workDir, name));
      server = await spawnServer(binary, new URL(url).port, storeDir, workDir);
    },
  };
}

async function spawnServer(
  binary: string,
  port: string,
  storeDir: string,
  workDir: string,
): Promise<{ child: ChildProcess; url: string }> {
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
  return { child, url: await waitForPortsFile(child, workDir, () => stderr) };
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
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killTimer);
}
