/**
 * Load from wrk against the gateway and against a bare Fastify server serving the same bytes (gateway-baseline.ts),
 * for `npm run bench:gateway` and the HLS part of `npm run bench:live`: running wrk, reading its figures, capturing
 * the gateway's answers for the baseline, and the gateway's own per-status counts to prove every answer was the one
 * measured.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fetchRaw } from './live-stack.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..', '..');

export interface WrkResult {
  requestsPerSecond: number;
  p99Ms: number;
  transferPerSecond: string;
  /** wrk's "Non-2xx or 3xx responses": every status ≥ 400. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

export interface WrkLoad {
  connections: number;
  seconds: number;
}

export function parseWrk(output: string): WrkResult {
  const toMs = (value: string, unit: string) =>
    Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s|m)\b/.exec(output);
  const transfer = /Transfer\/sec:\s+(\S+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (!rps || !p99) throw new Error(`unexpected wrk output:\n${output}`);
  return {
    requestsPerSecond: Number(rps[1]),
    p99Ms: toMs(p99[1]!, p99[2]!),
    transferPerSecond: transfer?.[1] ?? '?',
    non2xx: Number(non2xx?.[1] ?? 0),
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
  };
}

export async function wrk(url: string, headers: Record<string, string>, load: WrkLoad): Promise<WrkResult> {
  const args = ['-t2', `-c${load.connections}`, `-d${load.seconds}s`, '--latency', '--timeout', '30s'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const { stdout } = await run('wrk', [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  return parseWrk(stdout);
}

/** What went wrong in one wrk run, for the failure report; empty when nothing did. */
export function wrkProblems(who: string, scenario: string, result: WrkResult): string[] {
  const problems: string[] = [];
  if (result.non2xx > 0) problems.push(`${scenario}: ${who} gave ${result.non2xx} answers with status ≥ 400`);
  const { connect, read, write, timeout } = result.socketErrors;
  if (connect + read + write + timeout > 0) {
    problems.push(
      `${scenario}: ${who}: socket errors connect ${connect}, read ${read}, write ${write}, timeout ${timeout}`,
    );
  }
  return problems;
}

/** The gateway's own count of answers per status for one route pattern (its HTTP duration histogram). */
export async function statusCounts(gatewayUrl: string, route: string): Promise<Map<string, number>> {
  const text = (await fetchRaw(`${gatewayUrl}/metrics`, {})).body.toString('utf8');
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('e2gate_gateway_http_request_duration_seconds_count{')) continue;
    if (!line.includes(`route="${route}"`)) continue;
    const status = /status="(\d+)"/.exec(line)?.[1];
    if (status) counts.set(status, (counts.get(status) ?? 0) + Number(line.split(' ').at(-1)));
  }
  return counts;
}

/** Statuses other than 2xx/304 the gateway gave between two `statusCounts`, as `429×12, 503×1`; '' when none. */
export function unexpectedAnswers(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([status, count]) => [status, count - (before.get(status) ?? 0)] as const)
    .filter(([status, delta]) => delta > 0 && !/^2\d\d$/.test(status) && status !== '304')
    .map(([status, delta]) => `${status}×${delta}`)
    .join(', ');
}

/** One answer of the gateway as the baseline replays it (manifest entry of gateway-baseline.ts). */
export interface CapturedAnswer {
  path: string;
  contentType: string;
  etag: string | null;
  etagGzip: string | null;
  body: string;
  gzip: string | null;
}

/**
 * Fetches `path` from the gateway plainly and with `Accept-Encoding: gzip`, stores both bodies in `dir` under
 * `name`, and returns the manifest entry plus the two answers.
 */
export async function captureAnswer(
  gatewayUrl: string,
  path: string,
  headers: Record<string, string>,
  dir: string,
  name: string,
) {
  const plain = await fetchRaw(gatewayUrl + path, headers);
  const zipped = await fetchRaw(gatewayUrl + path, { ...headers, 'accept-encoding': 'gzip' });
  if (plain.status !== 200)
    throw new Error(`${path}: ${plain.status} ${plain.body.toString().slice(0, 200)}`);
  writeFileSync(join(dir, `${name}.body`), plain.body);
  const hasGzip = zipped.headers['content-encoding'] === 'gzip';
  if (hasGzip) writeFileSync(join(dir, `${name}.gz`), zipped.body);
  const entry: CapturedAnswer = {
    path,
    contentType: plain.headers['content-type']!,
    etag: plain.headers['etag'] ?? null,
    etagGzip: hasGzip ? zipped.headers['etag']! : null,
    body: `${name}.body`,
    gzip: hasGzip ? `${name}.gz` : null,
  };
  return { entry, plain, zipped, hasGzip };
}

/** Starts gateway-baseline.ts on the captured answers in `dir` (with its manifest.json); resolves with its URL. */
export async function startBaseline(dir: string): Promise<{ url: string; process: ChildProcess }> {
  const process = spawn(
    globalThis.process.execPath,
    [join(root, 'dist/test/bench/gateway-baseline.js'), dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let buffer = '';
  for await (const chunk of process.stdout!) {
    buffer += String(chunk);
    const match = /(http:\/\/\S+)\n/.exec(buffer);
    if (match) return { url: match[1]!.trim(), process };
  }
  throw new Error('the baseline ended before printing its address');
}
