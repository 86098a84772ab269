/**
 * `npm run bench:gateway`: throughput and tail latency of the gateway's hot routes for a 1,500-channel receiver
 * with 7 days of EPG, side by side with a bare Fastify server serving the same bytes (gateway-baseline.ts) in the
 * same run. Everything real: nats-server, the receiver simulator, the catalog and the gateway as child processes
 * (dist/), load from wrk. Prints requests/s, p99 and the gateway/baseline ratio per scenario.
 *
 * Figures are only worth printing if every answer was the one measured: the run fails (non-zero exit, after the
 * table) when the gateway or the baseline answered anything but 2xx/304 — checked with wrk's error count and, for
 * the gateway, with its own per-status request metric before and after each scenario — or when wrk timed out.
 *
 * The gateway's memory has a budget (issue: ≤ 300 MiB peak with 1,500 channels × 7 days of EPG): the run also
 * fails when its peak RSS (`VmHWM`, over loading the snapshot, rendering every document and serving all the
 * scenarios) exceeds BENCH_GATEWAY_RSS_BUDGET_MIB.
 *
 * BENCH_CHANNELS, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_GATEWAY_RSS_BUDGET_MIB override the defaults (1500, 8,
 * 16, 300); BENCH_GATEWAY_NODE_FLAGS replaces the gateway's Node flags (`NODE_FLAGS.gateway`) to compare others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS } from '@e2gate/config';
import { startReceiverSim } from '../receiver-sim/index.js';
import { connectAs, natsEnv, startNatsServer } from '../support/nats-server.js';
import { fetchRaw } from './live-stack.js';
import {
  captureAnswer,
  startBaseline,
  statusCounts,
  unexpectedAnswers,
  wrk,
  wrkProblems,
  type CapturedAnswer,
} from './wrk.js';

const CHANNELS = Number(process.env['BENCH_CHANNELS'] ?? 1500);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const RSS_BUDGET_MIB = Number(process.env['BENCH_GATEWAY_RSS_BUDGET_MIB'] ?? 300);
const GATEWAY_NODE_FLAGS =
  process.env['BENCH_GATEWAY_NODE_FLAGS']?.split(' ').filter(Boolean) ?? NODE_FLAGS.gateway;
const EPG_DAYS = 7;
const LOAD = { connections: CONNECTIONS, seconds: SECONDS };
const TOKEN = 'bench-token-0123456789abcdef';
const root = resolve(import.meta.dirname, '..', '..', '..');

interface Scenario {
  name: string;
  path: string;
  headers: Record<string, string>;
}

function child(
  script: string,
  args: string[],
  env: Record<string, string>,
  stdout: 'pipe' | 'ignore' = 'pipe',
  nodeFlags: readonly string[] = [],
) {
  return spawn(process.execPath, [...nodeFlags, join(root, script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit'],
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

async function stop(process: ChildProcess | null): Promise<void> {
  if (!process || process.exitCode !== null) return;
  const exited = once(process, 'exit');
  process.kill('SIGTERM');
  await exited;
}

async function throttledTotal(gatewayUrl: string): Promise<number> {
  const text = (await fetchRaw(`${gatewayUrl}/metrics`, {})).body.toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('e2gate_gateway_throttled_requests_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function waitReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const reply = await fetchRaw(`${url}/readyz`, {}).catch(() => null);
    if (reply?.status === 200) return;
    await sleep(500);
  }
  throw new Error('gateway did not become ready');
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'e2gate-bench-gateway-'));
  const nats = await startNatsServer();
  const sim = await startReceiverSim({ bouquets: 10, channels: CHANNELS, epgDays: EPG_DAYS });
  let catalog: ChildProcess | null = null;
  let gateway: ChildProcess | null = null;
  let baseline: ChildProcess | null = null;
  try {
    console.log(
      `bench:gateway — ${CHANNELS} channels, ${EPG_DAYS} days of EPG; wrk ${CONNECTIONS} connections, ${SECONDS} s ` +
        `each; gateway node flags: ${GATEWAY_NODE_FLAGS.join(' ') || 'none'}`,
    );
    const nc = await connectAs(nats.url);
    const refreshed = new Promise<Record<string, unknown>>((done, fail) => {
      const sub = nc.subscribe('catalog.evt.*', {
        callback: (_error, msg) => {
          if (msg.json<{ partial?: boolean }>().partial === true) return; // a step of the first EPG load
          sub.unsubscribe();
          if (msg.subject === 'catalog.evt.refreshed') done(msg.json());
          else fail(new Error(`catalog refresh failed: ${msg.string()}`));
        },
      });
    });
    const started = performance.now();
    catalog = child('dist/apps/catalog/src/main.js', [], {
      ...natsEnv(nats.url, 'catalog'),
      E2GATE_RECEIVER_URL: sim.url,
      E2GATE_DATA_DIR: join(work, 'catalog-data'),
      E2GATE_EPG_DAYS: String(EPG_DAYS),
      E2GATE_CATALOG_HTTP_PORT: '0',
      E2GATE_RECEIVER_MAX_RPS: '1000',
      E2GATE_RECEIVER_CONCURRENCY: '16',
      E2GATE_RECEIVER_EPG_CONCURRENCY: '16',
      LOG_LEVEL: 'warn',
    });
    const event = await refreshed;
    await nc.close();
    const counts = event['counts'] as { channels: number; events: number };
    console.log(
      `catalog refreshed in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
        `${counts.channels} channels, ${counts.events} events`,
    );
    const port = await freePort();
    // Default log level (info: one JSON line per request, as in production), written to /dev/null.
    gateway = child(
      'dist/apps/gateway/src/main.js',
      [],
      {
        ...natsEnv(nats.url, 'gateway'),
        E2GATE_DATA_DIR: join(work, 'gateway-data'),
        E2GATE_GATEWAY_HTTP_HOST: '127.0.0.1',
        E2GATE_GATEWAY_HTTP_PORT: String(port),
        E2GATE_API_TOKENS: `bench:${TOKEN}:read+stream`,
        // Throttling stays on (it is part of what is measured) but can never bite: 1,000,000 requests per client
        // per second is two orders of magnitude beyond what wrk reaches even on 304s.
        E2GATE_RATE_LIMIT: '1000000',
        E2GATE_RATE_LIMIT_WINDOW: '1s',
        E2GATE_HDHR_ENABLED: 'false',
        LOG_LEVEL: 'info',
      },
      'ignore',
      GATEWAY_NODE_FLAGS, // as `npm start` runs it: its young generation is part of its memory
    );
    const gatewayUrl = `http://127.0.0.1:${port}`;
    await waitReady(gatewayUrl);
    console.log(
      `gateway RSS with the snapshot loaded, nothing rendered yet: ${rssMiB(gateway, 'VmRSS')} MiB ` +
        `(peak so far ${rssMiB(gateway, 'VmHWM')} MiB)`,
    );

    const auth = { authorization: `Bearer ${TOKEN}` };
    const capture = join(work, 'captured');
    const scenarios: Scenario[] = [];
    const manifest: CapturedAnswer[] = [];
    rmSync(capture, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(capture));
    for (const [index, path] of ['/playlist.m3u', '/xmltv.xml', '/api/v1/epg/now-next'].entries()) {
      const { entry, plain, zipped, hasGzip } = await captureAnswer(
        gatewayUrl,
        path,
        auth,
        capture,
        `${index}`,
      );
      manifest.push(entry);
      const size = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
      console.log(
        `${path}: ${size(plain.body.length)}${hasGzip ? `, gzip ${size(zipped.body.length)}` : ''}`,
      );
      scenarios.push({ name: `${path} 200`, path, headers: auth });
      scenarios.push({ name: `${path} 200 gzip`, path, headers: { ...auth, 'accept-encoding': 'gzip' } });
      scenarios.push({
        name: `${path} 304 If-None-Match`,
        path,
        headers: { ...auth, 'accept-encoding': 'gzip', 'if-none-match': zipped.headers['etag']! },
      });
    }
    console.log(
      `gateway RSS once every document is rendered: ${rssMiB(gateway, 'VmRSS')} MiB ` +
        `(peak so far ${rssMiB(gateway, 'VmHWM')} MiB)`,
    );
    writeFileSync(join(capture, 'manifest.json'), JSON.stringify(manifest));
    const replay = await startBaseline(capture);
    baseline = replay.process;
    const baselineUrl = replay.url;

    const rows: string[][] = [];
    const problems: string[] = [];
    for (const scenario of scenarios) {
      const route = scenario.path.split('?')[0]!;
      const before = await statusCounts(gatewayUrl, route);
      const ours = await wrk(gatewayUrl + scenario.path, scenario.headers, LOAD);
      const unexpected = unexpectedAnswers(before, await statusCounts(gatewayUrl, route));
      if (unexpected) problems.push(`${scenario.name}: the gateway answered ${unexpected}`);
      const bare = await wrk(baselineUrl + scenario.path, scenario.headers, LOAD);
      problems.push(
        ...wrkProblems('gateway', scenario.name, ours),
        ...wrkProblems('baseline', scenario.name, bare),
      );
      rows.push([
        scenario.name,
        ours.requestsPerSecond.toFixed(0),
        ours.p99Ms.toFixed(2),
        bare.requestsPerSecond.toFixed(0),
        bare.p99Ms.toFixed(2),
        (ours.requestsPerSecond / bare.requestsPerSecond).toFixed(2),
        rssMiB(gateway, 'VmHWM'),
      ]);
    }
    printTable(
      ['scenario', 'gateway req/s', 'p99 ms', 'bare Fastify req/s', 'p99 ms', 'ratio', 'gateway peak MiB'],
      rows,
    );
    const peak = rssMiB(gateway, 'VmHWM');
    console.log(
      `gateway peak RSS: ${peak} MiB, budget ${RSS_BUDGET_MIB} MiB (snapshot head and stored guide in memory, ` +
        'rendered documents cached)',
    );
    if (!(Number(peak) <= RSS_BUDGET_MIB)) {
      problems.push(`the gateway's peak RSS ${peak} MiB exceeds its budget of ${RSS_BUDGET_MIB} MiB`);
    }
    const throttled = await throttledTotal(gatewayUrl);
    if (throttled > 0) problems.push(`the gateway throttled ${throttled} requests (429)`);
    if (problems.length > 0) {
      throw new Error(
        `bench:gateway FAILED — answers that were not 2xx/304, or memory over budget:\n  ${problems.join('\n  ')}`,
      );
    }
    console.log(
      "every answer was 2xx or 304 (wrk error counts and the gateway's per-status metric agree); " +
        'peak RSS within budget',
    );
  } finally {
    await stop(baseline);
    await stop(gateway);
    await stop(catalog);
    await sim.close();
    await nats.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Resident memory now (`VmRSS`) or at its peak so far (`VmHWM`). */
function rssMiB(process: ChildProcess, field: 'VmRSS' | 'VmHWM'): string {
  try {
    const status = readFileSync(`/proc/${process.pid}/status`, 'utf8');
    return (Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024).toFixed(0);
  } catch {
    return '?';
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  console.log('\n' + line(header));
  for (const row of rows) console.log(line(row));
  console.log('\nratio = gateway req/s ÷ bare Fastify req/s on the same bytes (1.00 = no overhead)');
  console.log("gateway peak MiB = the gateway's peak RSS (VmHWM) so far, after the scenario");
}

await main();
