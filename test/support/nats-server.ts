import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import {
  ensureNatsIdentities,
  inboxPrefixOf,
  natsAuthOptions,
  renderNatsAuthorization,
  type NatsIdentity,
  type NatsLink,
  type NatsRole,
} from '@e2gate/nats';

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
  /** SIGSTOP: the server holds its connections open and answers nothing (a hung server); `resume` undoes it. */
  pause(): void;
  resume(): void;
  /** Starts the server again on the same port (after `kill`), with its store kept or wiped. */
  restart(options?: { wipeStore?: boolean }): Promise<void>;
  /** The services' identities (`auth`, the default); empty for a server without authorization. */
  identities: readonly NatsIdentity[];
  /** Lines the server logged about permission violations since it started. */
  violations(): string[];
}

/** Seed files of the servers this process started, by URL: harnesses that get only a URL find credentials here. */
const seedFilesByUrl = new Map<string, Map<NatsRole, string>>();

/** Makes `natsEnv`, `natsLink` and `connectAs` find the identities of the server(s) at `url`. */
export function registerNatsIdentities(url: string, identities: readonly NatsIdentity[]): void {
  seedFilesByUrl.set(url, new Map(identities.map((identity) => [identity.role, identity.seedFile])));
}

export function forgetNatsIdentities(url: string): void {
  seedFilesByUrl.delete(url);
}

/** `NATS_URL` plus the role's seed file (when the server at `url` has authorization): an app's NATS variables. */
export function natsEnv(url: string, role: NatsRole): Record<string, string> {
  const seedFile = seedFilesByUrl.get(url)?.get(role);
  return { NATS_URL: url, ...(seedFile ? { E2GATE_NATS_NKEY_FILE: seedFile } : {}) };
}

/** The {@link NatsLink} of `role` on the server at `url`. */
export function natsLink(url: string, role: NatsRole): NatsLink {
  const seedFile = seedFilesByUrl.get(url)?.get(role);
  return { natsUrl: url, ...(seedFile ? { natsCredentials: { kind: 'nkey', seedFile } } : {}) };
}

/** A client connection as `role` (tests inspecting the store use `admin`). */
export async function connectAs(
  url: string,
  role: NatsRole = 'admin',
  options: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  return connect({
    servers: url,
    inboxPrefix: inboxPrefixOf(role),
    ...(await natsAuthOptions(natsLink(url, role))),
    ...options,
  });
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
  options: {
    storeDir?: string;
    port?: number;
    /** Every service connects as its own user with least-privilege permissions (default true). */
    auth?: boolean;
    /** Where the services' NKey seeds live (default: the server's temporary work dir). */
    identityDir?: string;
    /** Clients must speak TLS to this certificate (`makeTestCertificates`). */
    tls?: { certFile: string; keyFile: string };
  } = {},
): Promise<RunningNatsServer> {
  const binary = findNatsServerBinary();
  const workDir = mkdtempSync(join(tmpdir(), 'e2gate-nats-'));
  const storeDir = options.storeDir ?? join(workDir, 'js');
  const identities =
    options.auth === false ? [] : await ensureNatsIdentities(options.identityDir ?? join(workDir, 'auth'));
  const configFile = join(workDir, 'nats-server.conf');
  const tls = options.tls
    ? `tls {\n  cert_file: ${JSON.stringify(options.tls.certFile)}\n  key_file: ${JSON.stringify(options.tls.keyFile)}\n}\n`
    : '';
  writeFileSync(configFile, tls + (identities.length ? renderNatsAuthorization(identities) : ''));
  const log = new ServerLog();
  const start = (port: string) => spawnServer(binary, port, storeDir, workDir, configFile, log);
  let server = await start(options.port ? String(options.port) : '-1');
  const url = server.url;
  registerNatsIdentities(url, identities);
  return {
    url,
    storeDir,
    identities,
    violations: () => [...log.violations],
    stop: async () => {
      await stopChild(server.child);
      forgetNatsIdentities(url);
      rmSync(workDir, { recursive: true, force: true });
    },
    kill: async () => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
      server.child.kill('SIGKILL');
      await exited;
    },
    pause: () => void server.child.kill('SIGSTOP'),
    resume: () => void server.child.kill('SIGCONT'),
    restart: async ({ wipeStore = false } = {}) => {
      await stopChild(server.child);
      if (wipeStore) rmSync(storeDir, { recursive: true, force: true });
      for (const name of readdirSync(workDir)) if (name.endsWith('.ports')) rmSync(join(workDir, name));
      server = await start(new URL(url).port);
    },
  };
}

/** The server's log as far as tests read it: the last few KiB, and every permission violation (bounded). */
export class ServerLog {
  tail = '';
  readonly violations: string[] = [];
  private pending = '';

  append(chunk: string): void {
    this.tail = (this.tail + chunk).slice(-4000);
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      if (/(Publish|Subscription) Violation/.test(line) && this.violations.length < 1000) {
        this.violations.push(line);
      }
    }
  }
}

export async function spawnServer(
  binary: string,
  port: string,
  storeDir: string,
  workDir: string,
  configFile: string,
  log: ServerLog,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    binary,
    ['-c', configFile, '-a', '127.0.0.1', '-p', port, '-js', '-sd', storeDir, '--ports_file_dir', workDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // nats-server reads no variable of ours: hand it none (receiver credentials stay with the catalog).
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => log.append(chunk.toString()));
  return { child, url: await waitForPortsFile(child, workDir, () => log.tail) };
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

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killTimer);
}
