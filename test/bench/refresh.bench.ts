/**
 * `npm run bench:refresh`: catalog refreshes of 1,500 channels in 10 bouquets with 7 days of EPG against the
 * receiver simulator at 20 ms per request, with a gateway beside the catalog (real processes, one NATS):
 *   1. first start, cold stores (every picon fetched), E2GATE_RECEIVER_MAX_RPS=1000: the catalog's own cost;
 *   2. first start again (catalog buckets and data dir wiped, picons cached) at the default receiver limits
 *      (10 rps, 4 in flight, 1 EPG): what a new user with a real box waits for;
 *   3. a regular refresh of run 2's complete snapshot at the default limits.
 * Prints the time to the first playlist (the gateway answers `/playlist.m3u` with every channel) and to the full
 * EPG, the politeness budget (receiver requests ÷ the rate limit) with the ratio, requests by endpoint, and the
 * catalog's peak RSS and stored snapshot size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { startReceiverSim } from '../receiver-sim/index.js';
import { connectAs, natsEnv, startNatsServer } from '../support/nats-server.js';

const CHANNELS = Number(process.env['BENCH_CHANNELS'] ?? 1500);
const BOUQUETS = Number(process.env['BENCH_BOUQUETS'] ?? 10);
const EPG_DAYS = 7;
const LATENCY_MS = 20;
const DEFAULT_MAX_RPS = 10;
const TOKEN = 'bench-refresh-token-0123456789';
const root = resolve(import.meta.dirname, '..', '..', '..');

type Sim = Awaited<ReturnType<typeof startReceiverSim>>;

interface RunResult {
  label: string;
  maxRps: number;
  firstPlaylist: { seconds: number; entries: number } | null;
  fullEpgSeconds: number;
  requests: number;
  byEndpoint: Record<string, number>;
  peakRssMiB: number;
  channels: number;
  events: number;
  snapshotMiB: { stored: number; inflated: number };
}

function child(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(root, script)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(process: ChildProcess): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return;
  const exited = once(process, 'exit');
  process.kill('SIGTERM');
  await exited;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** The final outcome of the next refresh (steps of a first EPG load, `partial: true`, are skipped). */
function nextOutcome(nc: NatsConnection): Promise<{ subject: string; data: Record<string, unknown> }> {
  return new Promise((done) => {
    const sub = nc.subscribe('catalog.evt.*', {
      callback: (_error, msg) => {
        const data = msg.json<Record<string, unknown>>();
        if (data['partial'] === true) return;
        sub.unsubscribe();
        done({ subject: msg.subject, data });
      },
    });
  });
}

/** Seconds from `started` until the gateway first answers `/playlist.m3u` with 200, and its entries (polled). */
async function firstPlaylist(
  url: string,
  started: number,
  until: Promise<unknown>,
): Promise<{ seconds: number; entries: number } | null> {
  let finished = false;
  void until.finally(() => (finished = true));
  while (!finished) {
    const reply = await fetch(`${url}/playlist.m3u`, { headers: { authorization: `Bearer ${TOKEN}` } }).catch(
      () => null,
    );
    if (reply?.status === 200) {
      const seconds = (performance.now() - started) / 1000;
      const entries = (await reply.text()).split('\n').filter((line) => line.startsWith('#EXTINF')).length;
      return { seconds, entries };
    }
    await reply?.arrayBuffer();
    await new Promise((done) => setTimeout(done, 50));
  }
  return null;
}

function storedSnapshot(dataDir: string): { stored: number; inflated: number } {
  const dir = join(dataDir, 'catalog');
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { objectName: string };
  const path = join(dir, meta.objectName);
  const MiB = 1024 * 1024;
  return { stored: statSync(path).size / MiB, inflated: gunzipSync(readFileSync(path)).length / MiB };
}

async function run(
  label: string,
  natsUrl: string,
  sim: Sim,
  dataDir: string,
  env: Record<string, string>,
): Promise<RunResult> {
  const nc = await connectAs(natsUrl);
  sim.resetStats();
  const port = await freePort();
  const gateway = child('dist/apps/gateway/src/main.js', {
    ...natsEnv(natsUrl, 'gateway'),
    E2GATE_DATA_DIR: join(dataDir, '..', 'gateway-data'),
    E2GATE_GATEWAY_HTTP_HOST: '127.0.0.1',
    E2GATE_GATEWAY_HTTP_PORT: String(port),
    E2GATE_API_TOKENS: `bench:${TOKEN}:read`,
    E2GATE_RATE_LIMIT: '1000000',
    E2GATE_HDHR_ENABLED: 'false',
  });
  const outcome = nextOutcome(nc);
  const started = performance.now();
  const catalog = child('dist/apps/catalog/src/main.js', {
    ...natsEnv(natsUrl, 'catalog'),
    E2GATE_RECEIVER_URL: sim.url,
    E2GATE_DATA_DIR: dataDir,
    E2GATE_EPG_DAYS: String(EPG_DAYS),
    E2GATE_CATALOG_HTTP_PORT: '0',
    ...env,
  });
  const playlist = firstPlaylist(`http://127.0.0.1:${port}`, started, outcome);
  const result = await outcome;
  const fullEpgSeconds = (performance.now() - started) / 1000;
  const firstPlaylistSeen = await playlist;
  const status = readFileSync(`/proc/${catalog.pid}/status`, 'utf8');
  const peakRssKiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  await stop(catalog);
  await stop(gateway);
  await nc.close();
  if (result.subject !== 'catalog.evt.refreshed')
    throw new Error(`${label}: refresh failed: ${JSON.stringify(result.data)}`);
  const stats = sim.stats();
  const byEndpoint = Object.fromEntries(
    Object.entries(stats.endpoints).map(([endpoint, counts]) => [
      endpoint,
      Object.values(counts).reduce((a, b) => a + (b ?? 0), 0),
    ]),
  );
  const counts = result.data['counts'] as { channels: number; events: number };
  return {
    label,
    maxRps: Number(env['E2GATE_RECEIVER_MAX_RPS'] ?? DEFAULT_MAX_RPS),
    firstPlaylist: firstPlaylistSeen,
    fullEpgSeconds,
    requests: stats.total,
    byEndpoint,
    peakRssMiB: peakRssKiB / 1024,
    channels: counts.channels,
    events: counts.events,
    snapshotMiB: storedSnapshot(dataDir),
  };
}

function print(result: RunResult): void {
  const budget = result.requests / result.maxRps;
  console.log(`\n${result.label}`);
  console.log(`  channels ${result.channels}, events ${result.events}`);
  const first = result.firstPlaylist;
  console.log(
    `  first playlist ${first ? `${first.seconds.toFixed(2)} s (${first.entries} channels)` : '– (only at the end)'}` +
      `, full EPG ${result.fullEpgSeconds.toFixed(1)} s (catalog process start to outcome)`,
  );
  console.log(
    `  politeness budget ${budget.toFixed(1)} s (${result.requests} requests ÷ ${result.maxRps} rps): ` +
      `full EPG ${(result.fullEpgSeconds / budget).toFixed(2)}× the budget`,
  );
  console.log(
    `  receiver requests ${result.requests}: ${Object.entries(result.byEndpoint)
      .map(([e, n]) => `${e} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `  catalog peak RSS ${result.peakRssMiB.toFixed(0)} MiB; snapshot ${result.snapshotMiB.stored.toFixed(1)} MiB ` +
      `stored, ${result.snapshotMiB.inflated.toFixed(1)} MiB inflated`,
  );
}

/** Removes what a first start must not find: the catalog's buckets and data dir (picons stay). */
async function forgetCatalog(natsUrl: string, dataDir: string): Promise<void> {
  const nc = await connectAs(natsUrl);
  const jsm = await jetstreamManager(nc);
  for (const stream of ['OBJ_catalog', 'KV_catalog-meta', 'KV_catalog-lock']) {
    await jsm.streams.delete(stream).catch(() => false);
  }
  await nc.close();
  for (const name of readdirSync(dataDir)) {
    if (name === 'catalog') rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'e2gate-bench-refresh-'));
  const nats = await startNatsServer({ storeDir: join(work, 'nats') });
  const sim = await startReceiverSim({
    bouquets: BOUQUETS,
    channels: CHANNELS,
    epgDays: EPG_DAYS,
    faults: { latencyMs: [LATENCY_MS, LATENCY_MS] },
  });
  console.log(
    `bench:refresh — ${CHANNELS} channels in ${BOUQUETS} bouquets, ${EPG_DAYS} days EPG, ${LATENCY_MS} ms per request`,
  );
  try {
    const dataDir = join(work, 'data');
    print(
      await run('run 1 — first start, cold stores, E2GATE_RECEIVER_MAX_RPS=1000', nats.url, sim, dataDir, {
        E2GATE_RECEIVER_MAX_RPS: '1000',
      }),
    );
    await forgetCatalog(nats.url, dataDir);
    print(
      await run(
        'run 2 — first start, picons cached, default receiver limits (10 rps, 4 in flight, 1 EPG)',
        nats.url,
        sim,
        dataDir,
        {},
      ),
    );
    print(
      await run(
        'run 3 — regular refresh of a complete snapshot, default receiver limits',
        nats.url,
        sim,
        dataDir,
        {},
      ),
    );
  } finally {
    await sim.close();
    await nats.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
