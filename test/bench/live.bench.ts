/**
 * `npm run bench:live`: live TV through the whole stack, side by side with what users run today (xg2g, Threadfin:
 * one ffmpeg process per viewer reading the receiver's stream URL, `ffmpeg -i <url> -c:v copy -c:a aac -f mpegts`).
 * Everything real, each in its own process: nats-server, the receiver simulator (live-sim.ts: real-time streams,
 * 20 ms per web request), catalog, gateway and transcoder from dist/. Measures, in one run:
 *   1. time to first byte and to the first decodable keyframe at the client, p50/p95 over 20 opens of channels
 *      nobody watches (20 HD channels on 20 transponders), e2gate `/stream/<id>?profile=aac` vs a fresh ffmpeg;
 *   2. CPU (utime + stime from /proc) of transcoder + gateway + nats-server over a fixed window with 1 channel × 100
 *      viewers and 20 channels × 1 viewer, vs the ffmpeg processes (1 channel × BENCH_FFMPEG_VIEWERS, scaled per
 *      viewer, and 20 channels × 1, plus 20 × 1 with ffmpeg making the same output as e2gate); every client reads
 *      its stream and its byte rate and real-time ratio are shown;
 *   3. the most concurrent `aac` sessions (one viewer each, different channels) the two cores keep in real time:
 *      levels 10, 20, 25, 30, 35, … until an open fails or a viewer falls below 0.95× real time.
 *
 * "Real time" is read from the stream itself: the PCR a viewer received advances by media seconds; a viewer kept
 * real time when media seconds ÷ wall seconds ≥ 0.95 over the window (its byte rate ≥ 0.95× the stream's own bytes
 * per media second). The first decodable keyframe is the earliest prefix of the received bytes holding a whole
 * keyframe packet: ffprobe finds the first packet flagged K, the prefix ends where the next packet of that video
 * PID starts (before that a demuxer cannot know the frame is complete); ffprobe on that prefix must list the K
 * packet again (counted as "verified"). Its arrival time is that of the chunk which completed the prefix.
 *
 * BENCH_OPENS (20), BENCH_WINDOW_S (20), BENCH_FFMPEG_VIEWERS (20), BENCH_RAMP_MAX (100) override the defaults;
 * BENCH_LOGS=<dir> keeps the logs of catalog, gateway and transcoder (level info) there.
 * BENCH_QUICK=1 measures only e2gate's two CPU figures (1 channel × 100 viewers, 20 channels × 1), for working on
 * the stack's own cost; BENCH_PROFILE=<dir> writes V8 CPU profiles of gateway and transcoder there (`--cpu-prof`).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { defaultMaxSessions } from '@e2gate/config';
import {
  BENCH_TOKEN,
  cpuSeconds,
  fetchRaw,
  machineJiffies,
  percentile,
  printTable,
  startBenchStack,
  sum,
  waitFor,
  waitNoReceiverStreams,
  SIM_TUNERS,
  type BenchChannel,
} from './live-stack.js';

const run = promisify(execFile);
const OPENS = Number(process.env['BENCH_OPENS'] ?? 20);
const WINDOW_MS = Number(process.env['BENCH_WINDOW_S'] ?? 20) * 1000;
const FFMPEG_FANOUT = Number(process.env['BENCH_FFMPEG_VIEWERS'] ?? 20);
const RAMP_MAX = Number(process.env['BENCH_RAMP_MAX'] ?? 100);
const QUICK = process.env['BENCH_QUICK'] === '1';
const FANOUT_VIEWERS = 100;
const CHANNEL_SESSIONS = 20;
const WARM_MS = 5_000;
const RAMP_WARM_MS = 5_000;
const RAMP_WINDOW_MS = 10_000;
const RAMP_LEVELS = [10, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100];
const REAL_TIME = 0.95;
/** How long a time-to-first-frame capture goes on after the first byte (a GOP of the HD fixture is 0.64 s). */
const CAPTURE_AFTER_FIRST_BYTE_MS = 1_500;
const OPEN_TIMEOUT_MS = 15_000;
const HD_FIXTURE = 't1_720p50_ac3_mp2';
const TS_PACKET = 188;
const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

type Channel = BenchChannel;

// ---------------------------------------------------------------------------------------------------------------
// Processes

/**
 * CPU seconds of a process by kind of thread: `main` (the JS event loop, tid = pid), `engine` (the native
 * `e2gate-pipeline` threads, one per session) and `other` (V8 and libuv helpers). Threads that exited are not counted.
 */
function threadSeconds(pid: number): Record<'main' | 'engine' | 'other', number> {
  const result = { main: 0, engine: 0, other: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      const kind = tid === String(pid) ? 'main' : name.startsWith('e2gate-pipeline') ? 'engine' : 'other';
      result[kind] += seconds;
    } catch {
      // the thread ended meanwhile
    }
  }
  return result;
}

/** Resident memory of a process in MiB. */
function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kib ?? 0) / 1024);
}

/** Sum and count of a Prometheus histogram on a `/metrics` page, over the label sets matching `labels`. */
async function histogram(url: string, name: string, labels = ''): Promise<{ sum: number; count: number }> {
  const text = (await fetchRaw(`${url}/metrics`)).body.toString('utf8');
  const total = (suffix: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}_${suffix}`) && line.includes(labels))
      .reduce((acc, line) => acc + Number(line.split(' ').at(-1)), 0);
  return { sum: total('sum'), count: total('count') };
}

// ---------------------------------------------------------------------------------------------------------------
// Streams: what a client receives, with the media time the stream's PCR says it carried

/** Follows the PCR of the first PID that carries one; `seconds` is the media time received (gaps > 5 s skipped). */
class MediaClock {
  seconds = 0;
  private carry: Buffer | null = null;
  private pid = -1;
  private last = -1;

  feed(chunk: Buffer): void {
    let data = chunk;
    if (this.carry) {
      const need = TS_PACKET - this.carry.length;
      if (chunk.length < need) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      this.packet(Buffer.concat([this.carry, chunk.subarray(0, need)]), 0);
      data = chunk.subarray(need);
      this.carry = null;
    }
    let offset = 0;
    while (offset + TS_PACKET <= data.length) {
      if (data[offset] !== 0x47) {
        offset++; // resynchronise
        continue;
      }
      this.packet(data, offset);
      offset += TS_PACKET;
    }
    if (offset < data.length) this.carry = Buffer.from(data.subarray(offset));
  }

  private packet(b: Buffer, o: number): void {
    if ((b[o + 3]! & 0x20) === 0 || b[o + 4]! < 7 || (b[o + 5]! & 0x10) === 0) return;
    const pid = ((b[o + 1]! & 0x1f) << 8) | b[o + 2]!;
    if (this.pid < 0) this.pid = pid;
    if (pid !== this.pid) return;
    const base =
      b[o + 6]! * 2 ** 25 + b[o + 7]! * 2 ** 17 + b[o + 8]! * 2 ** 9 + b[o + 9]! * 2 + (b[o + 10]! >> 7);
    if (this.last >= 0) {
      let delta = base - this.last;
      if (delta < 0) delta += 2 ** 33;
      if (delta < 5 * 90_000) this.seconds += delta / 90_000;
    }
    this.last = base;
  }
}

interface Stream {
  bytes: number;
  clock: MediaClock;
  ended: string | null;
  pid?: number;
  close(): void;
}

/** A player on the gateway: a plain GET that reads and counts; resolves once a 200 head arrived. */
function httpStream(url: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(parts).toString().slice(0, 200)}`)),
        );
        return;
      }
      const stream: Stream = {
        bytes: 0,
        clock: new MediaClock(),
        ended: null,
        close: () => {
          stream.ended ??= 'closed by the bench';
          req.destroy();
        },
      };
      res.on('data', (chunk: Buffer) => {
        stream.bytes += chunk.length;
        stream.clock.feed(chunk);
      });
      const end = (why: string) => (stream.ended ??= why);
      res.on('end', () => end('response ended'));
      res.on('error', () => end('response error'));
      res.socket.once('close', () => end('connection closed'));
      resolve(stream);
    });
    req.setTimeout(OPEN_TIMEOUT_MS, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

const FFMPEG_ARGS = (input: string) => [
  ...['-nostdin', '-v', 'error', '-i', input],
  ...['-c:v', 'copy', '-c:a', 'aac', '-f', 'mpegts', 'pipe:1'],
];
/** The same output as e2gate's `aac` profile: every audio track of the service → AAC-LC stereo 192 kb/s. */
const FFMPEG_SAME_OUTPUT_ARGS = (input: string) => [
  ...['-nostdin', '-v', 'error', '-i', input, '-map', '0:v:0', '-map', '0:a'],
  ...['-c:v', 'copy', '-c:a', 'aac', '-ac', '2', '-b:a', '192k', '-f', 'mpegts', 'pipe:1'],
];

/** One viewer the way xg2g/Threadfin serve it: its own ffmpeg reading the receiver, stdout read and counted. */
function ffmpegStream(input: string, args = FFMPEG_ARGS): Stream {
  const ffmpeg = spawn('ffmpeg', args(input), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const stream: Stream = {
    bytes: 0,
    clock: new MediaClock(),
    ended: null,
    pid: ffmpeg.pid!,
    close: () => {
      stream.ended ??= 'closed by the bench';
      ffmpeg.kill('SIGKILL');
    },
  };
  ffmpeg.stdout.on('data', (chunk: Buffer) => {
    stream.bytes += chunk.length;
    stream.clock.feed(chunk);
  });
  ffmpeg.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-500)));
  ffmpeg.once(
    'exit',
    (code, signal) => (stream.ended ??= `ffmpeg exited ${code ?? signal}: ${stderr.trim()}`),
  );
  return stream;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Time to first byte and first decodable keyframe

interface Capture {
  /** Milliseconds from the request (or the ffmpeg spawn) to the first byte; null when none came. */
  firstByteMs: number | null;
  /** Arrival of each chunk (ms since the start) and the received total after it. */
  arrivals: { ms: number; total: number }[];
  parts: Buffer[];
  error: string | null;
}

async function capture(
  start: (onData: (chunk: Buffer) => void, onError: (error: string) => void) => () => void,
) {
  const result: Capture = { firstByteMs: null, arrivals: [], parts: [], error: null };
  let total = 0;
  let first!: () => void;
  const firstByte = new Promise<void>((done) => (first = done));
  const started = performance.now();
  const close = start(
    (chunk) => {
      const ms = performance.now() - started;
      if (result.firstByteMs === null) {
        result.firstByteMs = ms;
        first();
      }
      total += chunk.length;
      result.arrivals.push({ ms, total });
      result.parts.push(chunk);
    },
    (error) => {
      result.error ??= error;
      first();
    },
  );
  await Promise.race([firstByte, sleep(OPEN_TIMEOUT_MS)]);
  if (result.firstByteMs !== null) await sleep(CAPTURE_AFTER_FIRST_BYTE_MS);
  else result.error ??= `no byte within ${OPEN_TIMEOUT_MS} ms`;
  close();
  return result;
}

function captureHttp(url: string): Promise<Capture> {
  return capture((onData, onError) => {
    const req = request(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) onError(`HTTP ${res.statusCode}`);
      else res.on('data', onData);
    });
    req.on('error', (error) => onError(error.message));
    req.end();
    return () => req.destroy();
  });
}

function captureFfmpeg(input: string): Promise<Capture> {
  return capture((onData, onError) => {
    const ffmpeg = spawn('ffmpeg', FFMPEG_ARGS(input), { stdio: ['ignore', 'pipe', 'ignore'] });
    ffmpeg.stdout.on('data', onData);
    ffmpeg.on('error', (error) => onError(error.message));
    return () => ffmpeg.kill('SIGKILL');
  });
}

interface Keyframe {
  ms: number;
  prefixBytes: number;
  verified: boolean;
}

/** When the first whole keyframe packet had arrived (see the header); null when the capture holds none. */
async function firstKeyframe(captured: Capture, dir: string, name: string): Promise<Keyframe | null> {
  if (captured.parts.length === 0) return null;
  const bytes = Buffer.concat(captured.parts);
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, bytes);
  const probe = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=id:packet=pos,flags',
      '-of',
      'json',
      file,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const parsed = JSON.parse(probe.stdout) as {
    streams?: { id?: string }[];
    packets?: { pos?: string; flags?: string }[];
  };
  const pid = parseInt(parsed.streams?.[0]?.id ?? '', 16);
  const key = parsed.packets?.find((packet) => packet.flags?.includes('K') && packet.pos !== undefined);
  if (!key || Number.isNaN(pid)) return null;
  let end = -1;
  for (let offset = Number(key.pos) + TS_PACKET; offset + TS_PACKET <= bytes.length; offset += TS_PACKET) {
    if (bytes[offset] !== 0x47) break;
    const packetPid = ((bytes[offset + 1]! & 0x1f) << 8) | bytes[offset + 2]!;
    if (packetPid === pid && (bytes[offset + 1]! & 0x40) !== 0) {
      end = offset;
      break;
    }
  }
  if (end < 0) return null;
  const prefix = join(dir, `${name}.prefix.ts`);
  writeFileSync(prefix, bytes.subarray(0, end));
  const check = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', prefix],
  ]);
  const arrival = captured.arrivals.find((chunk) => chunk.total >= end)!;
  rmSync(file);
  rmSync(prefix);
  return {
    ms: arrival.ms,
    prefixBytes: end,
    verified: check.stdout.split('\n').some((l) => l.includes('K')),
  };
}

/** The elementary streams of a capture, e.g. `h264, aac 2ch, aac 2ch`. */
async function streamLayout(captured: Capture, dir: string, name: string): Promise<string> {
  const file = join(dir, `${name}-layout.ts`);
  writeFileSync(file, Buffer.concat(captured.parts));
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'stream=codec_name,channels', '-of', 'json', file],
  ]);
  rmSync(file);
  const { streams = [] } = JSON.parse(stdout) as { streams?: { codec_name?: string; channels?: number }[] };
  return streams
    .map((stream) => `${stream.codec_name ?? '?'}${stream.channels ? ` ${stream.channels}ch` : ''}`)
    .join(' + ');
}

// ---------------------------------------------------------------------------------------------------------------
// 2 and 3. CPU over a window, viewers' byte rates and real-time ratios

interface Window {
  seconds: number;
  /** Cores used (CPU s ÷ wall s) per group of processes. */
  cores: Record<string, number>;
  machineBusyCores: number;
  /** Cores used by the kinds of thread of the process named in `threadsOf` (see threadSeconds). */
  threads: Record<'main' | 'engine' | 'other', number>;
  bytesPerSecond: number[];
  realTime: number[];
  ended: string[];
}

async function measure(
  groups: Record<string, number[]>,
  streams: Stream[],
  windowMs: number,
  threadsOf?: number,
): Promise<Window> {
  const cpu = () =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [
        name,
        pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
      ]),
    );
  const before = {
    at: performance.now(),
    cpu: cpu(),
    machine: machineJiffies(),
    threads: threadsOf ? threadSeconds(threadsOf) : null,
    streams: streams.map((s) => ({ bytes: s.bytes, media: s.clock.seconds })),
  };
  await sleep(windowMs);
  const after = {
    at: performance.now(),
    cpu: cpu(),
    machine: machineJiffies(),
    threads: threadsOf ? threadSeconds(threadsOf) : null,
  };
  const seconds = (after.at - before.at) / 1000;
  const machine = (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total);
  return {
    seconds,
    cores: Object.fromEntries(
      Object.keys(groups).map((name) => [name, (after.cpu[name]! - before.cpu[name]!) / seconds]),
    ),
    machineBusyCores: machine * cpus().length,
    threads: {
      main: ((after.threads?.main ?? 0) - (before.threads?.main ?? 0)) / seconds,
      engine: ((after.threads?.engine ?? 0) - (before.threads?.engine ?? 0)) / seconds,
      other: ((after.threads?.other ?? 0) - (before.threads?.other ?? 0)) / seconds,
    },
    bytesPerSecond: streams.map((s, index) => (s.bytes - before.streams[index]!.bytes) / seconds),
    realTime: streams.map((s, index) => (s.clock.seconds - before.streams[index]!.media) / seconds),
    ended: streams.filter((s) => s.ended !== null).map((s) => s.ended!),
  };
}

const mbps = (bytesPerSecond: number) => (bytesPerSecond * 8) / 1e6;

function describeViewers(window: Window): string {
  const rates = window.bytesPerSecond;
  return (
    `per viewer ${mbps(Math.min(...rates)).toFixed(2)}–${mbps(Math.max(...rates)).toFixed(2)} Mb/s ` +
    `(median ${mbps(percentile(rates, 50)).toFixed(2)}), real time ×${Math.min(...window.realTime).toFixed(3)} ` +
    `at worst, ${window.ended.length} ended early${window.ended.length ? ` (${window.ended[0]})` : ''}`
  );
}

function describeCores(window: Window): string {
  return Object.entries(window.cores)
    .map(([name, cores]) => `${name} ${(cores * 100).toFixed(1)}%`)
    .join(', ');
}

/**
 * Waits at least `minMs`, then until no stream is catching up any more (each within 1.05× real time over 2 s; an
 * ffmpeg works off what it buffered while probing, a joining viewer gets the current GOP at once), at most 30 s.
 */
async function settle(streams: Stream[], minMs: number): Promise<number> {
  const started = performance.now();
  await sleep(minMs);
  while (performance.now() - started < 30_000) {
    const before = streams.map((stream) => stream.clock.seconds);
    const from = performance.now();
    await sleep(2_000);
    const seconds = (performance.now() - from) / 1000;
    // In step with live: not still probing (ffmpeg writes nothing meanwhile), not working off a backlog.
    const inStep = (stream: Stream, index: number) => {
      const rate = (stream.clock.seconds - before[index]!) / seconds;
      return rate >= 0.9 && rate <= 1.05;
    };
    if (streams.every(inStep)) break;
  }
  return performance.now() - started;
}

function describeThreads(window: Window): string {
  const { main, engine, other } = window.threads;
  return (
    `transcoder threads: JS main ${(main * 100).toFixed(1)}%, engine (e2gate-pipeline) ` +
    `${(engine * 100).toFixed(1)}%, other ${(other * 100).toFixed(1)}%`
  );
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const stack = await startBenchStack({
    name: 'bench:live',
    gatewayEnv: {
      // The ramp goes past the default 50 relayed sessions.
      E2GATE_MAX_STREAM_SESSIONS: '1000',
    },
    transcoderEnv: {
      E2GATE_SESSION_IDLE: '2s',
      // The ramp looks for the CPU limit: the node's own admission limit (30 sessions on 2 cores) is lifted.
      E2GATE_TRANSCODER_MAX_SESSIONS: '1000',
    },
  });
  const { work, sim, gatewayUrl } = stack;
  const streams: Stream[] = [];
  try {
    // HD channels: 720p50 H.264 ~9 Mb/s, AC-3 5.1 + MP2.
    const usable = stack.channels;
    const hd = usable.filter((c) => c.fixture === HD_FIXTURE);
    const oneTransponderEach = [...new Map(hd.map((c) => [c.transponder, c])).values()];
    const measured = Math.max(OPENS, CHANNEL_SESSIONS);
    if (oneTransponderEach.length < measured + 2)
      throw new Error('not enough HD channels on separate transponders');
    const [warmUp, fanout] = oneTransponderEach as [Channel, Channel];
    const opens = oneTransponderEach.slice(2, 2 + OPENS);
    const channelSessions = oneTransponderEach.slice(2, 2 + CHANNEL_SESSIONS);
    const streamUrl = (channel: Channel) =>
      `${gatewayUrl}/stream/${channel.id}?profile=aac&token=${BENCH_TOKEN}`;
    const receiverUrl = (channel: Channel) => stack.receiverUrl(channel);

    const { pids } = stack;
    const stackPids = {
      transcoder: [pids.transcoder],
      gateway: [pids.gateway],
      'nats-server': [pids['nats-server']],
    };
    const harnessPids = { 'receiver sim': [pids['receiver sim']], 'bench clients': [process.pid] };
    const idleCatalog = { catalog: [pids.catalog] };

    // Warm-up: one open each way on a channel not measured (JIT, page cache), retried until a transcoder is known.
    await waitFor(
      'a first stream through the gateway',
      async () => {
        const stream = await httpStream(streamUrl(warmUp));
        await sleep(1000);
        stream.close();
        return stream.bytes > 0;
      },
      60_000,
    );
    await captureFfmpeg(receiverUrl(warmUp));
    await waitNoReceiverStreams(sim);

    const problems: string[] = [];
    const cpuRows: { label: string; window: Window; stackCores: number; per: number }[] = [];
    const cpuPhase = async (
      label: string,
      opened: Stream[],
      groups: Record<string, number[]>,
      units: number,
      threadsOf?: number,
    ) => {
      streams.push(...opened);
      const settled = await settle(opened, WARM_MS);
      const window = await measure(
        { ...groups, ...idleCatalog, ...harnessPids },
        opened,
        WINDOW_MS,
        threadsOf,
      );
      const measured = Object.keys(groups);
      const stackCores = sum(measured.map((name) => window.cores[name]!));
      // Per media second: a client still working off what it buffered at the start (ffmpeg after probing) runs
      // faster than real time for a while and does more than a live stream's work in the window.
      const pace = sum(window.realTime) / window.realTime.length;
      cpuRows.push({ label, window, stackCores, per: stackCores / units / pace });
      console.log(
        `   ${label}, settled after ${(settled / 1000).toFixed(0)} s (mean pace ${pace.toFixed(3)}× real time): ` +
          `${(stackCores * 100).toFixed(1)}% of a core in all (${describeCores(window)}; ` +
          `machine busy ${window.machineBusyCores.toFixed(2)} of ${cpus().length} cores)\n     ${describeViewers(window)}` +
          (threadsOf ? `\n     ${describeThreads(window)}` : ''),
      );
      for (const stream of opened) stream.close();
      streams.length = 0;
      await waitNoReceiverStreams(sim);
    };
    /** Opens viewers at once; a failed open is reported (see "problems") and retried once. */
    const openViewers = async (label: string, urls: string[]): Promise<Stream[]> => {
      const outcomes = await Promise.allSettled(urls.map((url) => httpStream(url)));
      const opened: Stream[] = [];
      for (const [index, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') {
          opened.push(outcome.value);
          continue;
        }
        problems.push(`${label}: open ${index + 1} failed (${(outcome.reason as Error).message}); retried`);
        opened.push(await httpStream(urls[index]!));
      }
      return opened;
    };
    const fanoutPhase = async () => {
      const first = await httpStream(streamUrl(fanout));
      const rest = await openViewers(
        'e2gate fan-out',
        Array.from({ length: FANOUT_VIEWERS - 1 }, () => streamUrl(fanout)),
      );
      await cpuPhase(
        `e2gate, 1 channel × ${FANOUT_VIEWERS} viewers`,
        [first, ...rest],
        stackPids,
        FANOUT_VIEWERS,
        pids.transcoder,
      );
    };
    const channelsPhase = async () => {
      const sessions = await openViewers(
        `e2gate ${CHANNEL_SESSIONS} channels`,
        channelSessions.map(streamUrl),
      );
      await cpuPhase(
        `e2gate, ${CHANNEL_SESSIONS} channels × 1 viewer`,
        sessions,
        stackPids,
        CHANNEL_SESSIONS,
        pids.transcoder,
      );
    };
    if (QUICK) {
      console.log(`\nquick: e2gate's CPU only, over ${WINDOW_MS / 1000} s windows`);
      await fanoutPhase();
      await channelsPhase();
      for (const problem of problems) console.log(`   problem: ${problem}`);
      return;
    }

    // ---- 1. Time to first byte / first decodable keyframe -------------------------------------------------------
    console.log(
      `\n1. opening ${opens.length} HD channels nobody watches (one transponder each), one at a time: ` +
        `e2gate then ffmpeg, alternating which goes first`,
    );
    const { transcoderUrl } = stack;
    const firstByteMetrics = () =>
      Promise.all([
        histogram(transcoderUrl, 'e2gate_transcoder_time_to_first_byte_seconds'),
        histogram(gatewayUrl, 'e2gate_gateway_stream_time_to_first_byte_seconds', 'session="new"'),
      ]);
    const metricsBefore = await firstByteMetrics();
    const captures: { e2gate: Capture; ffmpeg: Capture }[] = [];
    for (const [index, channel] of opens.entries()) {
      let e2gate: Capture;
      let ffmpeg: Capture;
      if (index % 2 === 0) {
        e2gate = await captureHttp(streamUrl(channel));
        ffmpeg = await captureFfmpeg(receiverUrl(channel));
      } else {
        ffmpeg = await captureFfmpeg(receiverUrl(channel));
        e2gate = await captureHttp(streamUrl(channel));
      }
      captures.push({ e2gate, ffmpeg });
    }
    const metricsAfter = await firstByteMetrics();
    const layouts = await Promise.all(
      (['e2gate', 'ffmpeg'] as const).map(
        async (who) => `${who}: ${await streamLayout(captures[0]![who], work, who)}`,
      ),
    );
    const meanMs = (index: 0 | 1) =>
      ((metricsAfter[index].sum - metricsBefore[index].sum) /
        (metricsAfter[index].count - metricsBefore[index].count)) *
      1000;
    const breakdown =
      `   the stack's own metrics, mean of these opens: transcoder, session start → first TS bytes out ` +
      `${meanMs(0).toFixed(0)} ms; gateway, open asked → first bytes relayed ${meanMs(1).toFixed(0)} ms`;
    const analysis = join(work, 'captures');
    await import('node:fs/promises').then((fs) => fs.mkdir(analysis));
    const ttff = { e2gate: [] as number[], ffmpeg: [] as number[] };
    const ttfb = { e2gate: [] as number[], ffmpeg: [] as number[] };
    let verified = 0;
    for (const [index, pair] of captures.entries()) {
      for (const who of ['e2gate', 'ffmpeg'] as const) {
        const captured = pair[who];
        if (captured.error || captured.firstByteMs === null) {
          problems.push(`${who} open ${index + 1}: ${captured.error ?? 'no bytes'}`);
          continue;
        }
        ttfb[who].push(captured.firstByteMs);
        const key = await firstKeyframe(captured, analysis, `${who}-${index}`);
        if (!key) {
          problems.push(`${who} open ${index + 1}: no whole keyframe within the capture`);
          continue;
        }
        ttff[who].push(key.ms);
        if (key.verified) verified++;
        else problems.push(`${who} open ${index + 1}: ffprobe lists no K packet in the keyframe prefix`);
      }
    }
    console.log(
      `   ${ttff.e2gate.length + ttff.ffmpeg.length} keyframes found, ${verified} confirmed by ffprobe on the prefix`,
    );
    console.log(breakdown);
    console.log(`   what a client gets (first open): ${layouts.join('; ')}`);
    await waitNoReceiverStreams(sim);

    // ---- 2. CPU ----------------------------------------------------------------------------------------------------
    console.log(
      `\n2. CPU (user + system) over ${WINDOW_MS / 1000} s, once every client is in step with live ` +
        `(at least ${WARM_MS / 1000} s after the start, every stream within 0.9–1.05× real time over 2 s)`,
    );
    await fanoutPhase();
    const fanoutFfmpeg = Array.from({ length: FFMPEG_FANOUT }, () => ffmpegStream(receiverUrl(fanout)));
    await cpuPhase(
      `ffmpeg per viewer, 1 channel × ${FFMPEG_FANOUT} viewers`,
      fanoutFfmpeg,
      { ffmpeg: fanoutFfmpeg.map((s) => s.pid!) },
      FFMPEG_FANOUT,
    );
    await channelsPhase();
    const channelFfmpeg = channelSessions.map((c) => ffmpegStream(receiverUrl(c)));
    await cpuPhase(
      `ffmpeg per viewer, ${CHANNEL_SESSIONS} channels × 1 viewer`,
      channelFfmpeg,
      { ffmpeg: channelFfmpeg.map((s) => s.pid!) },
      CHANNEL_SESSIONS,
    );
    const sameOutput = channelSessions.map((c) => ffmpegStream(receiverUrl(c), FFMPEG_SAME_OUTPUT_ARGS));
    await cpuPhase(
      `ffmpeg with e2gate's output (every audio track → AAC stereo), ${CHANNEL_SESSIONS} channels × 1 viewer`,
      sameOutput,
      { ffmpeg: sameOutput.map((s) => s.pid!) },
      CHANNEL_SESSIONS,
    );

    // ---- 3. Capacity ramp ---------------------------------------------------------------------------------------
    // HD channels first, then the others, within the simulator's 32 tuners (services of a transponder share one).
    const byKind = [
      ...hd,
      ...usable.filter((c) => c.fixture !== HD_FIXTURE && c.fixture !== 't3_576i_mpeg2'),
      ...usable.filter((c) => c.fixture === 't3_576i_mpeg2'),
    ];
    const transponders = new Set<string>();
    const lineup = byKind.filter((c) => {
      if (!transponders.has(c.transponder) && transponders.size >= SIM_TUNERS) return false;
      transponders.add(c.transponder);
      return true;
    });
    const rampMax = Math.min(RAMP_MAX, lineup.length);
    console.log(
      `\n3. ramp: aac sessions on different channels (one viewer each; ${hd.length} HD channels, then SD), ` +
        `${RAMP_WARM_MS / 1000} s settle + ${RAMP_WINDOW_MS / 1000} s window per level, ` +
        `held = every viewer ≥ ${REAL_TIME}× real time`,
    );
    const rampRows: { level: number; held: boolean; window: Window | null; why: string; hdCount: number }[] =
      [];
    const ramp = new Map<Channel, Stream>();
    /** Brings the ramp to `level` sessions (closing the last ones or opening the next channels), then measures. */
    const rampLevel = async (level: number): Promise<boolean> => {
      for (const [channel, stream] of [...ramp].reverse()) {
        if (ramp.size <= level && stream.ended === null) continue;
        stream.close();
        ramp.delete(channel);
      }
      const next = lineup.filter((channel) => !ramp.has(channel)).slice(0, level - ramp.size);
      const opened = await Promise.allSettled(next.map((channel) => httpStream(streamUrl(channel))));
      const failures: string[] = [];
      opened.forEach((outcome, index) => {
        if (outcome.status === 'fulfilled') ramp.set(next[index]!, outcome.value);
        else failures.push((outcome.reason as Error).message);
      });
      const hdCount = [...ramp.keys()].filter((c) => c.fixture === HD_FIXTURE).length;
      if (failures.length > 0) {
        const why = `${failures.length} of ${next.length} opens failed: ${failures[0]}`;
        rampRows.push({ level, held: false, window: null, why, hdCount });
        console.log(`   ${level} sessions: NOT held: ${why}`);
        return false;
      }
      const viewers = [...ramp.values()];
      await settle(viewers, RAMP_WARM_MS);
      const window = await measure(
        { ...stackPids, ...harnessPids },
        viewers,
        RAMP_WINDOW_MS,
        pids.transcoder,
      );
      const slow = window.realTime.filter((ratio) => ratio < REAL_TIME).length;
      const held = slow === 0 && window.ended.length === 0;
      const why = held ? '' : `${slow} viewer(s) below ${REAL_TIME}× real time, ${window.ended.length} ended`;
      rampRows.push({ level, held, window, why, hdCount });
      const stack = sum(Object.keys(stackPids).map((name) => window.cores[name]!));
      console.log(
        `   ${level} sessions (${hdCount} HD): ${held ? 'held' : `NOT held: ${why}`}; transcoder RSS ` +
          `${rssMiB(pids.transcoder)} MiB; stack ` +
          `${(stack * 100).toFixed(0)}% of a core (${describeCores(window)}; machine busy ` +
          `${window.machineBusyCores.toFixed(2)} of ${cpus().length} cores)\n     ${describeViewers(window)}` +
          `\n     ${describeThreads(window)}`,
      );
      return held;
    };
    // Levels close together from 20 on: a level past the limit leaves the stack behind (backlogs, buffers), so
    // the ramp stops at the first level that does not hold instead of stepping back down.
    let lastHeld = 0;
    for (const level of RAMP_LEVELS.filter((n) => n <= rampMax)) {
      if (!(await rampLevel(level))) break;
      lastHeld = level;
    }
    for (const stream of ramp.values()) stream.close();

    // ---- Summary ---------------------------------------------------------------------------------------------------
    const row = (e2gate: number, ffmpeg: number, digits = 0) => [
      e2gate.toFixed(digits),
      ffmpeg.toFixed(digits),
      (e2gate / ffmpeg).toFixed(2),
    ];
    const [fanE2, fanFf, chE2, chFf, chSame] = cpuRows as [
      (typeof cpuRows)[0],
      (typeof cpuRows)[0],
      (typeof cpuRows)[0],
      (typeof cpuRows)[0],
      (typeof cpuRows)[0],
    ];
    const pct = (cores: number) => cores * 100;
    const rows: string[][] = [
      ['first byte p50 (ms)', ...row(percentile(ttfb.e2gate, 50), percentile(ttfb.ffmpeg, 50)), '≤ 0.5'],
      ['first byte p95 (ms)', ...row(percentile(ttfb.e2gate, 95), percentile(ttfb.ffmpeg, 95)), '≤ 0.5'],
      ['first keyframe p50 (ms)', ...row(percentile(ttff.e2gate, 50), percentile(ttff.ffmpeg, 50)), '≤ 0.5'],
      ['first keyframe p95 (ms)', ...row(percentile(ttff.e2gate, 95), percentile(ttff.ffmpeg, 95)), '≤ 0.5'],
      [
        `CPU per viewer, 1 ch × ${FANOUT_VIEWERS} (% core)`,
        ...row(pct(fanE2.per), pct(fanFf.per), 2),
        FFMPEG_FANOUT === FANOUT_VIEWERS ? '' : `(ffmpeg: ${FFMPEG_FANOUT} run)`,
      ],
      [
        `CPU per session, ${CHANNEL_SESSIONS} ch × 1 (% core)`,
        ...row(pct(chE2.per), pct(chFf.per), 2),
        '≤ 0.5',
      ],
      [
        `  same, ffmpeg with e2gate's output (% core)`,
        ...row(pct(chE2.per), pct(chSame.per), 2),
        '(informative)',
      ],
      [
        `${FANOUT_VIEWERS} viewers of 1 ch (% core)`,
        pct(fanE2.stackCores).toFixed(1),
        `${pct(3 * fanFf.per).toFixed(1)} (3 ffmpeg)`,
        (fanE2.stackCores / (3 * fanFf.per)).toFixed(2),
        '< 1',
      ],
      [`real-time aac sessions (${cpus().length} cores)`, String(lastHeld), '', '', ''],
    ];
    const heldRow = rampRows.find((r) => r.held && r.level === lastHeld);
    const failedRow = rampRows.find((r) => !r.held);
    printTable(['', 'e2gate', 'ffmpeg/viewer', 'ratio', 'target'], rows);
    console.log(
      `\nopens: ${ttfb.e2gate.length}/${opens.length} e2gate, ${ttfb.ffmpeg.length}/${opens.length} ffmpeg with bytes; ` +
        `keyframes ${ttff.e2gate.length} e2gate, ${ttff.ffmpeg.length} ffmpeg (${verified} confirmed by ffprobe)`,
    );
    console.log(
      `ffmpeg per viewer: \`ffmpeg ${FFMPEG_ARGS('<receiver url>').join(' ')}\`, the receiver URL resolved ` +
        `beforehand (not timed); e2gate timed from the GET, ffmpeg from its spawn; "e2gate's output": ` +
        `\`ffmpeg ${FFMPEG_SAME_OUTPUT_ARGS('<receiver url>').join(' ')}\``,
    );
    console.log(
      `CPU = transcoder + gateway + nats-server for e2gate, the ffmpeg processes for the baseline; the receiver ` +
        `simulator and the clients run on the same cores and are not counted; per viewer and per session figures ` +
        `are per media second (divided by the viewers' mean pace, 1.0 once in step with live)`,
    );
    if (FFMPEG_FANOUT !== FANOUT_VIEWERS) {
      console.log(
        `ffmpeg for ${FANOUT_VIEWERS} viewers of one channel was not run: at the measured ` +
          `${pct(fanFf.per).toFixed(2)}% of a core per process it needs ${(FANOUT_VIEWERS * fanFf.per).toFixed(1)} ` +
          `cores; ${FFMPEG_FANOUT} processes were run and the figure is per viewer`,
      );
    }
    if (heldRow?.window) {
      const w = heldRow.window;
      const stack = sum(Object.keys(stackPids).map((name) => w.cores[name]!));
      console.log(
        `at ${lastHeld} sessions (${heldRow.hdCount} HD): stack ${pct(stack).toFixed(0)}% of a core ` +
          `(${pct(stack / lastHeld).toFixed(2)}% per session), receiver sim + clients ` +
          `${pct(w.cores['receiver sim']! + w.cores['bench clients']!).toFixed(0)}% of a core, machine busy ` +
          `${w.machineBusyCores.toFixed(2)} of ${cpus().length} cores; the transcoder's default admission ` +
          `limit on this machine is ${defaultMaxSessions(cpus().length)} sessions`,
      );
    }
    if (failedRow) {
      console.log(
        `first level not held: ${failedRow.level} sessions (${failedRow.hdCount} HD): ${failedRow.why}`,
      );
    }
    if (problems.length > 0) console.log(`problems:\n  ${problems.join('\n  ')}`);
    console.log(`\nbench:live took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  } finally {
    for (const stream of streams) stream.close();
    await stack.close();
  }
}

await main();
