import { appendFileSync, mkdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, register } from 'prom-client';
import { scrubSecrets } from './scrub.js';

export type CrashKind = 'uncaught_exception' | 'unhandled_rejection';
const KINDS: readonly CrashKind[] = ['uncaught_exception', 'unhandled_rejection'];
const METRIC = 'e2gate_process_crashes_total';
/** Only the end of a long crash history is read back (each line is one crash). */
const HISTORY_READ_BYTES = 1024 * 1024;

export interface CrashHandlerOptions {
  /** `catalog`, `gateway`, `transcoder`: names the log line and the history file's folder. */
  service: string;
  /** The app's data dir; crashes are appended to `<dataDir>/<service>/crashes.jsonl`. */
  dataDir: string;
}

/**
 * The last line of defence of every app: an uncaught exception or an unhandled promise rejection (a native
 * callback that throws included: it surfaces as one) is written as one JSON log line with its stack, appended to the
 * app's crash history, and the process exits 1 for its supervisor to start it again. A half-broken process that
 * keeps answering would hide the fault. `e2gate_process_crashes_total{kind}` starts from the history, so the count
 * survives the restart it causes and an alert can see it rise.
 */
export function installCrashHandlers(options: CrashHandlerOptions): void {
  const dir = join(options.dataDir, options.service);
  const history = join(dir, 'crashes.jsonl');
  const counter = crashCounter();
  const previous = readHistory(history);
  for (const kind of KINDS) counter.inc({ kind }, previous[kind]);
  const crash = (kind: CrashKind, reason: unknown) => {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    const at = new Date().toISOString();
    const line = {
      level: 60,
      time: Date.now(),
      service: options.service,
      msg: `${options.service} crashed (${kind}): ${error.message}`,
      kind,
      err: { type: error.name, message: error.message, stack: error.stack },
    };
    // Synchronous writes: the process ends right after, before an asynchronous logger would flush.
    writeSync(1, scrubSecrets(JSON.stringify(line)) + '\n');
    try {
      mkdirSync(dir, { recursive: true });
      appendFileSync(history, scrubSecrets(JSON.stringify({ at, kind, message: error.message })) + '\n');
    } catch {
      // The log line is what matters; a read-only data dir must not turn a crash into a hang.
    }
    process.exit(1);
  };
  process.on('uncaughtException', (error) => crash('uncaught_exception', error));
  process.on('unhandledRejection', (reason) => crash('unhandled_rejection', reason));
}

function crashCounter(): Counter<'kind'> {
  const existing = register.getSingleMetric(METRIC) as Counter<'kind'> | undefined;
  return (
    existing ??
    new Counter({
      name: METRIC,
      help: 'Crashes of this app (uncaught exceptions, unhandled rejections), counted across restarts',
      labelNames: ['kind'],
    })
  );
}

function readHistory(path: string): Record<CrashKind, number> {
  const counts: Record<CrashKind, number> = { uncaught_exception: 0, unhandled_rejection: 0 };
  let text: string;
  try {
    const bytes = readFileSync(path);
    text = bytes.subarray(Math.max(0, bytes.length - HISTORY_READ_BYTES)).toString('utf8');
  } catch {
    return counts;
  }
  for (const line of text.split('\n')) {
    const kind = /"kind":"(uncaught_exception|unhandled_rejection)"/.exec(line)?.[1] as CrashKind | undefined;
    if (kind) counts[kind]++;
  }
  return counts;
}
