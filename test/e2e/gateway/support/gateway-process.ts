import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIGNING_KEY, TOKENS } from './gateway-harness.js';
import { natsEnv } from '../../../support/nats-server.js';

const MAIN = fileURLToPath(new URL('../../../../dist/apps/gateway/src/main.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** The first log line (message text) matching `pattern`, written before or after the call. */
  logLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The same line as a whole: every field of its JSON. */
  logEntry(pattern: RegExp, timeoutMs: number): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** SIGKILL if still running, and the data dir removed (cleanup). */
  dispose(): Promise<void>;
}

/**
 * Starts the built gateway (`node dist/apps/gateway/src/main.js`, as in production: its own process, its own signal
 * handling) on a free port; resolves once it listens. Needs `npm run build` first.
 */
export async function startGatewayProcess(options: {
  natsUrl: string;
  env?: Record<string, string>;
}): Promise<GatewayProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'e2gate-gateway-process-'));
  const child = spawn(process.execPath, [MAIN], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      ...natsEnv(options.natsUrl, 'gateway'),
      E2GATE_DATA_DIR: dataDir,
      E2GATE_GATEWAY_HTTP_HOST: '127.0.0.1',
      E2GATE_GATEWAY_HTTP_PORT: '0',
      E2GATE_HDHR_DISCOVERY_HOST: '127.0.0.1',
      E2GATE_HDHR_DISCOVERY_PORT: '0',
      E2GATE_API_TOKENS: TOKENS,
      E2GATE_URL_SIGNING_KEY: SIGNING_KEY,
      LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const logs = new LogLines(child);
  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const listening = await Promise.race([
      logs.wait(/^gateway listening on (\S+)$/, 60_000),
      exited.then((exit) =>
        Promise.reject(new Error(`the gateway exited at start (${exit.code ?? exit.signal})`)),
      ),
    ]);
    const url = /^gateway listening on (\S+)$/.exec(listening)![1]!;
    return {
      child,
      url,
      logLine: (pattern, timeoutMs) => logs.wait(pattern, timeoutMs),
      logEntry: (pattern, timeoutMs) => logs.entry(pattern, timeoutMs),
      exited,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw new Error(`${(error as Error).message}; stderr: ${logs.stderr.slice(-2000)}`);
  }
}

/** The `msg` of every JSON log line the process writes, and waiters for the one they want. */
class LogLines {
  private readonly records: LogRecord[] = [];
  private readonly waiters = new Set<(record: LogRecord) => boolean>();
  stderr = '';

  constructor(child: ChildProcess) {
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.add(recordOf(line));
    });
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-8000)),
    );
  }

  wait(pattern: RegExp, timeoutMs: number): Promise<string> {
    return this.record(pattern, timeoutMs).then((record) => record.message);
  }

  /** The whole JSON line (its fields beside `msg`). */
  entry(pattern: RegExp, timeoutMs: number): Promise<Record<string, unknown>> {
    return this.record(pattern, timeoutMs).then((record) => record.entry);
  }

  private record(pattern: RegExp, timeoutMs: number): Promise<LogRecord> {
    const seen = this.records.find((record) => pattern.test(record.message));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (record: LogRecord) => {
        if (!pattern.test(record.message)) return false;
        clearTimeout(timer);
        resolve(record);
        return true;
      };
      this.waiters.add(waiter);
    });
  }

  private add(record: LogRecord): void {
    this.records.push(record);
    for (const waiter of [...this.waiters]) if (waiter(record)) this.waiters.delete(waiter);
  }
}

interface LogRecord {
  message: string;
  entry: Record<string, unknown>;
}

function recordOf(line: string): LogRecord {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    return { message: typeof entry['msg'] === 'string' ? entry['msg'] : line, entry };
  } catch {
    return { message: line, entry: {} };
  }
}
