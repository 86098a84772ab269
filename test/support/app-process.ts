import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { natsEnv } from './nats-server.js';

const mainOf = (app: string) => fileURLToPath(new URL(`../../dist/apps/${app}/src/main.js`, import.meta.url));

export interface AppProcess {
  child: ChildProcess;
  url: string;
  /** SIGKILL, as a crash would (the default), or SIGTERM; resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export type TranscoderProcess = AppProcess;

/**
 * Starts the built transcoder (`node dist/apps/transcoder/src/main.js`) in its own process, so a test can kill it
 * like a crash; resolves once it answers `/healthz`. Needs `npm run build` first.
 */
export function startTranscoderProcess(options: {
  natsUrl: string;
  receiverUrl: string;
  env?: Record<string, string>;
}): Promise<AppProcess> {
  return startAppProcess('transcoder', {
    ...natsEnv(options.natsUrl, 'transcoder'),
    E2GATE_RECEIVER_URL: options.receiverUrl,
    E2GATE_NODE_HEARTBEAT: '500ms',
    ...options.env,
  });
}

/** The built catalog in its own process, as {@link startTranscoderProcess}. */
export function startCatalogProcess(options: {
  natsUrl: string;
  receiverUrl: string;
  env?: Record<string, string>;
}): Promise<AppProcess> {
  return startAppProcess('catalog', {
    ...natsEnv(options.natsUrl, 'catalog'),
    E2GATE_RECEIVER_URL: options.receiverUrl,
    ...options.env,
  });
}

/** `node dist/apps/<app>/src/main.js` on a free port of 127.0.0.1; resolves once it answers `/healthz`. */
async function startAppProcess(
  app: 'catalog' | 'transcoder',
  env: Record<string, string>,
): Promise<AppProcess> {
  const main = mainOf(app);
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
  const port = await freePort();
  const prefix = `E2GATE_${app.toUpperCase()}_HTTP`;
  let stderr = '';
  const child = spawn(process.execPath, [main], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      [`${prefix}_HOST`]: '127.0.0.1',
      [`${prefix}_PORT`]: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (reply) => reply.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${app} did not answer /healthz: ${stderr}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    child,
    url,
    stop: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A TCP port of 127.0.0.1 free at the moment of the call. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}
