/**
 * `npm start`: the whole stack on embedded defaults. Starts a local nats-server with JetStream in the data
 * dir (unless NATS_URL is set), the demo receiver simulator (unless E2GATE_RECEIVER_URL is set), and every
 * app as a child process with its logs prefixed. Ctrl-C stops everything cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import {
  ConfigError,
  loadStackConfig,
  NODE_FLAGS,
  withoutReceiverVariables,
  type StackConfig,
} from '@e2gate/config';
import type { NatsRole } from '@e2gate/nats';
import { natsEnv, startNatsServer, type RunningNatsServer } from '../test/support/nats-server.js';
import { startReceiverSim, type ReceiverSim } from '../test/receiver-sim/index.js';

interface AppSpec {
  /** Also the app's NATS user. */
  name: Extract<NatsRole, 'catalog' | 'gateway' | 'transcoder'>;
  entry: string;
  /** Talks to the receiver: only such apps see the receiver's URL and credentials. */
  receiver: boolean;
  /** Node flags of the app (docs/operations.md § Node flags). */
  nodeFlags: readonly string[];
}

const APPS: readonly AppSpec[] = [
  { name: 'catalog', entry: 'dist/apps/catalog/src/main.js', receiver: true, nodeFlags: NODE_FLAGS.catalog },
  {
    name: 'gateway',
    entry: 'dist/apps/gateway/src/main.js',
    receiver: false,
    nodeFlags: NODE_FLAGS.gateway,
  },
  {
    name: 'transcoder',
    entry: 'dist/apps/transcoder/src/main.js',
    receiver: true,
    nodeFlags: NODE_FLAGS.transcoder,
  },
];
const MAX_RESTARTS = 5;
const root = resolve(import.meta.dirname, '..', '..');

const children = new Map<string, ChildProcess>();
let stopping = false;
let nats: RunningNatsServer | null = null;
let sim: ReceiverSim | null = null;

function say(message: string): void {
  console.log(`\u001b[1;36m[e2gate]\u001b[0m ${message}`);
}

async function freePort(preferred: number): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(0));
    server.listen(preferred, '127.0.0.1', () => server.close(() => done(preferred)));
  });
}

async function startNats(config: StackConfig): Promise<string> {
  if (config.natsUrl) return config.natsUrl;
  const storeDir = resolve(config.dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const port = await freePort(config.natsPort);
  const identityDir = resolve(config.dataDir, 'nats-auth');
  nats = await startNatsServer({ storeDir, identityDir, ...(port ? { port } : {}) });
  say(`nats-server with JetStream at ${nats.url} (store ${storeDir})`);
  say(
    `NATS users ${nats.identities.map((identity) => identity.role).join(', ')}: NKey seeds in ${identityDir}`,
  );
  return nats.url;
}

async function startReceiver(config: StackConfig): Promise<string> {
  if (config.receiverUrl) return config.receiverUrl;
  sim = await startReceiverSim({
    host: '127.0.0.1',
    port: config.demo.webPort,
    bouquets: config.demo.bouquets,
    channels: config.demo.channels,
    faults: { latencyMs: [5, 30] },
  });
  const banner = '*'.repeat(78);
  say(banner);
  say(`DEMO RECEIVER: no E2GATE_RECEIVER_URL set, serving the built-in simulator at ${sim.url}`);
  say('Set E2GATE_RECEIVER_URL=http://<your-box> to use a real Enigma2 receiver.');
  say(banner);
  return sim.url;
}

function startApp(app: AppSpec, env: NodeJS.ProcessEnv, restarts = 0): void {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', ...app.nodeFlags, resolve(root, app.entry)],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.set(app.name, child);
  const prefix = `\u001b[1;33m[${app.name}]\u001b[0m `;
  const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  relay(child.stdout!, process.stdout);
  relay(child.stderr!, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(app.name);
    if (stopping) return;
    if (restarts >= MAX_RESTARTS) {
      say(`${app.name} exited (${signal ?? code}) ${restarts} times; giving up`);
      void shutdown(1);
      return;
    }
    const delay = 1000 * 2 ** restarts;
    say(`${app.name} exited (${signal ?? code}); restarting in ${delay / 1000} s`);
    setTimeout(() => startApp(app, env, restarts + 1), delay);
  });
}

async function shutdown(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  await sim?.close();
  await nats?.stop();
  say('stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  let config: StackConfig;
  try {
    config = loadStackConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const natsUrl = await startNats(config);
  const receiverUrl = await startReceiver(config);
  for (const app of APPS) {
    // An operator's own NATS (NATS_URL set) comes with the operator's credentials in the environment.
    const env = {
      ...config.env,
      ...(nats ? natsEnv(natsUrl, app.name) : { NATS_URL: natsUrl }),
      E2GATE_RECEIVER_URL: receiverUrl,
      E2GATE_DATA_DIR: config.dataDir,
    };
    startApp(app, app.receiver ? env : withoutReceiverVariables(env));
  }
  say(`started ${APPS.map((app) => app.name).join(', ')}; Ctrl-C stops everything`);
}

await main();
