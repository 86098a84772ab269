/**
 * The stack of `npm run bench:live` (TS and HLS), every part real and in its own process: nats-server, the receiver
 * simulator (live-sim.ts: real-time streams, 20 ms per web request), catalog, gateway and transcoder from dist/,
 * started as `npm start` runs them; plus the /proc readings and HTTP helpers both benches use.
 *
 * BENCH_LOGS=<dir> keeps the logs of catalog, gateway and transcoder (level info) there; BENCH_PROFILE=<dir> writes
 * V8 CPU profiles of gateway and transcoder there (`--cpu-prof`); BENCH_<APP>_NODE_FLAGS (e.g.
 * BENCH_TRANSCODER_NODE_FLAGS) replaces an app's Node flags (`NODE_FLAGS`) to compare others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS, type NodeApp } from '@e2gate/config';
import { connectAs, natsEnv, startNatsServer, type RunningNatsServer } from '../support/nats-server.js';

export const root = resolve(import.meta.dirname, '..', '..', '..');
export const BENCH_TOKEN = 'bench-live-token-0123456789abcdef';
const PROFILE_DIR = process.env['BENCH_PROFILE'];
const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

export const SIM_TUNERS = 32; // the simulator's maximum
export const SIM_OPTIONS = {
  bouquets: 4,
  channels: 120,
  epgDays: 1,
  tuners: SIM_TUNERS,
  faults: { latencyMs: [20, 20] },
};

export interface SimChannelInfo {
  ref: string;
  name: string;
  sid: number;
  kind: 'tv' | 'radio';
  counted: boolean;
  encrypted: boolean;
  fixture: string;
  transponder: string;
}

export interface SimInfo {
  url: string;
  controlUrl: string;
  channels: SimChannelInfo[];
}

export interface BenchChannel extends SimChannelInfo {
  /** The gateway's channel id. */
  id: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

/** Starts an app of dist/; with BENCH_LOGS=<dir> its log (level info) goes to <dir>/<name>.log, else only warnings. */
export function child(name: NodeApp, env: Record<string, string>): ChildProcess {
  const logs = process.env['BENCH_LOGS'];
  const profile = PROFILE_DIR && name !== 'catalog' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const override = process.env[`BENCH_${name.toUpperCase()}_NODE_FLAGS`];
  const flags = override?.split(' ').filter(Boolean) ?? NODE_FLAGS[name]; // as `npm start` runs them
  return spawn(process.execPath, [...flags, ...profile, join(root, `dist/apps/${name}/src/main.js`)], {
    env: { ...process.env, LOG_LEVEL: logs ? 'info' : 'warn', ...env },
    stdio: ['ignore', logs ? openSync(join(logs, `${name}.log`), 'w') : 'ignore', 'inherit'],
  });
}

export async function stop(process: ChildProcess | null): Promise<void> {
  if (!process || process.exitCode !== null || process.signalCode !== null) return;
  const exited = once(process, 'exit');
  process.kill('SIGTERM');
  const kill = setTimeout(() => process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(kill);
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** The pid of this process's child named `comm` (nats-server, started by the test support module). */
export function childPidNamed(comm: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === process.pid) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no child process named ${comm}`);
}

/** CPU seconds (user + system, every thread) a process used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine (/proc/stat), to show how close to saturation a window ran. */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = values[3]! + values[4]!;
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP and figures

export async function fetchRaw(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((done, fail) => {
    request(url, { headers, agent: false }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () =>
        done({
          status: response.statusCode ?? 0,
          headers: response.headers as Record<string, string>,
          body: Buffer.concat(parts),
        }),
      );
      response.on('error', fail);
    })
      .on('error', fail)
      .end();
  });
}

export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

export const answers200 = (url: string) => async () => (await fetchRaw(url)).status === 200;

export async function simStreams(sim: SimInfo): Promise<number> {
  const stats = JSON.parse((await fetchRaw(`${sim.controlUrl}/_sim/stats`)).body.toString('utf8')) as {
    streams: { active: number };
  };
  return stats.streams.active;
}

export async function waitNoReceiverStreams(sim: SimInfo): Promise<void> {
  await waitFor('every receiver stream closed', async () => (await simStreams(sim)) === 0, 30_000);
}

/** The receiver's own stream URL of a service (what an ffmpeg-per-viewer setup reads). */
export async function receiverStreamUrl(sim: SimInfo, ref: string): Promise<string> {
  const text = (await fetchRaw(`${sim.url}/web/stream.m3u?ref=${encodeURIComponent(ref)}`)).body.toString(
    'utf8',
  );
  const url = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => /^https?:\/\//.test(line));
  if (!url) throw new Error(`no stream URL for ${ref}: ${text}`);
  return url;
}

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!)))
      .join('  ');
  console.log('\n' + line(header));
  for (const row of rows) console.log(line(row));
}

// ---------------------------------------------------------------------------------------------------------------
// The stack

export interface BenchStack {
  /** A scratch directory, removed by `close`. */
  work: string;
  nats: RunningNatsServer;
  sim: SimInfo;
  gatewayUrl: string;
  transcoderUrl: string;
  /** Process ids by part, for CPU readings. */
  pids: {
    transcoder: number;
    gateway: number;
    'nats-server': number;
    catalog: number;
    'receiver sim': number;
  };
  /** Every counted, free-to-air TV channel with its gateway id. */
  channels: BenchChannel[];
  /** The receiver's stream URL of a channel (resolved once at start). */
  receiverUrl(channel: BenchChannel): string;
  /** Starts the transcoder again (after `transcoder` was killed); resolves once it answers /healthz. */
  restartTranscoder(): Promise<void>;
  readonly transcoder: ChildProcess;
  close(): Promise<void>;
}

export interface BenchStackOptions {
  /** Names the bench in the first line it prints. */
  name: string;
  gatewayEnv?: Record<string, string>;
  transcoderEnv?: Record<string, string>;
  /** Simulator options over SIM_OPTIONS (a bigger lineup, more days of EPG). */
  sim?: Partial<typeof SIM_OPTIONS>;
}

/** Starts the stack and waits until the catalog has refreshed and the gateway is ready. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const work = mkdtempSync(join(tmpdir(), 'e2gate-bench-live-'));
  const simOptions = { ...SIM_OPTIONS, ...options.sim };
  const nats = await startNatsServer({ storeDir: join(work, 'nats') });
  const natsPid = childPidNamed('nats-server');
  const simProcess = spawn(
    process.execPath,
    [join(root, 'dist/test/bench/live-sim.js'), JSON.stringify(simOptions)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const started: (ChildProcess | null)[] = [];
  let transcoder: ChildProcess | null = null;
  const close = async () => {
    await stop(transcoder);
    for (const process of started.reverse()) await stop(process);
    await stop(simProcess);
    await nats.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    let line = '';
    for await (const chunk of simProcess.stdout!) {
      line += String(chunk);
      if (line.includes('\n')) break;
    }
    const sim = JSON.parse(line) as SimInfo;
    console.log(
      `${options.name} — receiver simulator: ${simOptions.channels} channels in ${simOptions.bouquets} bouquets, ` +
        `${simOptions.epgDays} days of EPG, ` +
        `${SIM_TUNERS} tuners, 20 ms per web request, streams paced at real time`,
    );

    // The stack: catalog (first complete refresh), gateway, transcoder; /healthz of each.
    const nc = await connectAs(nats.url);
    const refreshed = new Promise<void>((done, fail) => {
      const sub = nc.subscribe('catalog.evt.*', {
        callback: (_error, msg) => {
          if (msg.json<{ partial?: boolean }>().partial === true) return;
          sub.unsubscribe();
          if (msg.subject === 'catalog.evt.refreshed') done();
          else fail(new Error(`catalog refresh failed: ${msg.string()}`));
        },
      });
    });
    const catalogPort = await freePort();
    const catalog = child('catalog', {
      ...natsEnv(nats.url, 'catalog'),
      E2GATE_RECEIVER_URL: sim.url,
      E2GATE_DATA_DIR: join(work, 'catalog-data'),
      E2GATE_EPG_DAYS: String(simOptions.epgDays),
      E2GATE_CATALOG_HTTP_HOST: '127.0.0.1',
      E2GATE_CATALOG_HTTP_PORT: String(catalogPort),
      // The setup only: the first refresh at full speed. The transcoder keeps the default receiver budget.
      E2GATE_RECEIVER_MAX_RPS: '1000',
    });
    started.push(catalog);
    const refreshStarted = performance.now();
    await refreshed;
    await nc.close();
    console.log(`catalog refreshed in ${((performance.now() - refreshStarted) / 1000).toFixed(1)} s`);
    const gatewayPort = await freePort();
    const gateway = child('gateway', {
      ...natsEnv(nats.url, 'gateway'),
      E2GATE_DATA_DIR: join(work, 'gateway-data'),
      E2GATE_GATEWAY_HTTP_HOST: '127.0.0.1',
      E2GATE_GATEWAY_HTTP_PORT: String(gatewayPort),
      E2GATE_API_TOKENS: `bench:${BENCH_TOKEN}:read+stream`,
      E2GATE_RATE_LIMIT: '1000000',
      E2GATE_HDHR_ENABLED: 'false',
      ...options.gatewayEnv,
    });
    started.push(gateway);
    const transcoderPort = await freePort();
    const transcoderUrl = `http://127.0.0.1:${transcoderPort}`;
    const startTranscoder = async () => {
      transcoder = child('transcoder', {
        ...natsEnv(nats.url, 'transcoder'),
        E2GATE_RECEIVER_URL: sim.url,
        E2GATE_DATA_DIR: join(work, 'transcoder-data'),
        E2GATE_TRANSCODER_HTTP_HOST: '127.0.0.1',
        E2GATE_TRANSCODER_HTTP_PORT: String(transcoderPort),
        E2GATE_TUNERS: '64',
        ...options.transcoderEnv,
      });
      await waitFor(`${transcoderUrl}/healthz`, answers200(`${transcoderUrl}/healthz`));
    };
    await startTranscoder();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    for (const url of [`http://127.0.0.1:${catalogPort}`, gatewayUrl]) {
      await waitFor(`${url}/healthz`, answers200(`${url}/healthz`));
    }
    await waitFor('gateway /readyz', answers200(`${gatewayUrl}/readyz`));

    // Channels: the catalog's ids of the simulator's services.
    const page = JSON.parse(
      (
        await fetchRaw(`${gatewayUrl}/api/v1/channels?limit=1000`, { authorization: `Bearer ${BENCH_TOKEN}` })
      ).body.toString('utf8'),
    ) as { items: { id: string; name: string; sid: number }[] };
    const ids = new Map(page.items.map((item) => [`${item.sid}:${item.name}`, item.id]));
    const channels: BenchChannel[] = sim.channels
      .filter((c) => c.counted && c.kind === 'tv' && !c.encrypted && ids.has(`${c.sid}:${c.name}`))
      .map((c) => ({ ...c, id: ids.get(`${c.sid}:${c.name}`)! }));
    const receiverUrls = new Map<string, string>();
    for (const channel of channels) receiverUrls.set(channel.id, await receiverStreamUrl(sim, channel.ref));

    return {
      work,
      nats,
      sim,
      gatewayUrl,
      transcoderUrl,
      get pids() {
        return {
          transcoder: transcoder!.pid!,
          gateway: gateway.pid!,
          'nats-server': natsPid,
          catalog: catalog.pid!,
          'receiver sim': simProcess.pid!,
        };
      },
      channels,
      receiverUrl: (channel) => receiverUrls.get(channel.id)!,
      restartTranscoder: startTranscoder,
      get transcoder() {
        return transcoder!;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
