/**
 * `npm run bench:refresh`: a catalog refresh of 1,500 channels in 10 bouquets with 7 days of EPG against the
 * receiver simulator at 20 ms per request. Runs the real catalog process twice on one NATS and data dir:
 *   1. cold: empty stores (every picon fetched), E2GATE_RECEIVER_MAX_RPS=1000 — the catalog's own cost;
 *   2. warm: picons cached, the default receiver limits (10 rps, 4 in flight, 1 EPG) — what a real box sees.
 * Prints wall time, receiver requests by endpoint, and the catalog process's peak RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { startReceiverSim } from '../receiver-sim/index.js';
import { startNatsServer } from '../support/nats-server.js';

const CHANNELS = Number(process.env['BENCH_CHANNELS'] ?? 1500);
const BOUQUETS = Number(process.env['BENCH_BOUQUETS'] ?? 10);
const EPG_DAYS = 7;
const LATENCY_MS = 20;
const root = resolve(import.meta.dirname, '..', '..', '..');

interface RunResult {
  label: string;
  wallSeconds: number;
  refreshSeconds: number;
  requests: number;
  byEndpoint: Record<string, number>;
  peakRssMiB: number;
  channels: number;
  events: number;
}

async function runCatalog(
  label: string,
  natsUrl: string,
  receiverUrl: string,
  dataDir: string,
  env: Record<string, string>,
  sim: Awaited<ReturnType<typeof startReceiverSim>>,
): Promise<RunResult> {
  const nc = await connect({ servers: natsUrl });
  sim.resetStats();
  const started = performance.now();
  const outcome = new Promise<{ subject: string; data: Record<string, unknown> }>((done) => {
    const sub = nc.subscribe('catalog.evt.*', {
      callback: (_error, msg) => {
        const data = msg.json<Record<string, unknown>>();
        if (data['partial'] === true) return; // a step of the first EPG load, not the outcome
        sub.unsubscribe();
        done({ subject: msg.subject, data });
      },
    });
  });
  const child = spawn(process.execPath, [join(root, 'dist/apps/catalog/src/main.js')], {
    env: {
      ...process.env,
      NATS_URL: natsUrl,
      E2GATE_RECEIVER_URL: receiverUrl,
      E2GATE_DATA_DIR: dataDir,
      E2GATE_EPG_DAYS: String(EPG_DAYS),
      E2GATE_CATALOG_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const result = await outcome;
  const wallSeconds = (performance.now() - started) / 1000;
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const peakRssKiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
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
    wallSeconds,
    refreshSeconds: Number(result.data['durationMs']) / 1000,
    requests: stats.total,
    byEndpoint,
    peakRssMiB: peakRssKiB / 1024,
    channels: counts.channels,
    events: counts.events,
  };
}

function print(result: RunResult): void {
  console.log(`\n${result.label}`);
  console.log(`  channels ${result.channels}, events ${result.events}`);
  console.log(
    `  refresh ${result.refreshSeconds.toFixed(1)} s (process start to event ${result.wallSeconds.toFixed(1)} s)`,
  );
  console.log(
    `  receiver requests ${result.requests}: ${Object.entries(result.byEndpoint)
      .map(([e, n]) => `${e} ${n}`)
      .join(', ')}`,
  );
  console.log(`  catalog peak RSS ${result.peakRssMiB.toFixed(0)} MiB`);
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
      await runCatalog(
        'run 1 — cold stores, E2GATE_RECEIVER_MAX_RPS=1000',
        nats.url,
        sim.url,
        dataDir,
        { E2GATE_RECEIVER_MAX_RPS: '1000' },
        sim,
      ),
    );
    print(
      await runCatalog(
        'run 2 — picons cached, default receiver limits (10 rps, 4 in flight, 1 EPG)',
        nats.url,
        sim.url,
        dataDir,
        {},
        sim,
      ),
    );
  } finally {
    await sim.close();
    await nats.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
