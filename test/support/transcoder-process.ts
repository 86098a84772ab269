import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/apps/transcoder/src/main.js', import.meta.url));

export interface TranscoderProcess {
  child: ChildProcess;
  url: string;
  /** SIGKILL, as a crash would (the default), or SIGTERM; resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the built transcoder (`node dist/apps/transcoder/src/main.js`) in its own process, so a test can kill it
 * like a crash; resolves once it answers `/healthz`. Needs `npm run build` first.
 */
export async function startTranscoderProcess(options: {
  natsUrl: string;
  receiverUrl: string;
  env?: Record<string, string>;
}): Promise<TranscoderProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  const port = await freePort();
  let stderr = '';
  const child = spawn(process.execPath, [MAIN], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      NATS_URL: options.natsUrl,
      E2GATE_RECEIVER_URL: options.receiverUrl,
      E2GATE_TRANSCODER_HTTP_HOST: '127.0.0.1',
      E2GATE_TRANSCODER_HTTP_PORT: String(port),
      E2GATE_NODE_HEARTBEAT: '500ms',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`transcoder exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (reply) => reply.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`transcoder did not answer /healthz: ${stderr}`);
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

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}
