/**
 * The browser HLS part of `npm run bench:live` (alone: `npm run bench:live:hls`). Everything real, each part in its
 * own process (live-stack.ts: nats-server, receiver simulator at real time, catalog, gateway, transcoder from dist/),
 * hls.js 1.x in Debian's headless Chromium. Measures, in one run:
 *   1. time from the page's request (hls.js `loadSource`) to the video's first `playing`, p50/p95 over 20 starts
 *      of closed-GOP channels nobody watches (then 10 of open-GOP 720p50 channels, with how many Chromium refused),
 *      side by side with ffmpeg-per-viewer HLS as xg2g runs it
 *      (`ffmpeg -i <receiver url> -c:v copy -c:a aac -ac 2 -f hls -hls_time 2`, started by the playlist request
 *      and served from its directory once its playlist exists; `-ac 2` because Chromium refuses the 5.1 AAC
 *      ffmpeg makes from the AC-3 — e2gate's AAC is stereo too); the machine is idle before every start;
 *   2. requests/s and p99 (wrk) of a media playlist (gzip, as players ask) and of a video segment from the gateway,
 *      against a bare Fastify server serving the same bytes (gateway-baseline.ts);
 *   3. CPU (utime + stime from /proc) of transcoder + gateway + nats-server per HLS session, with SESSIONS channels
 *      each followed by one client that polls its video playlist every second and fetches every new video and
 *      first-audio segment (what hls.js does), beside SESSIONS ffmpeg HLS processes (one AAC track, and every
 *      track to AAC as e2gate does); then the sessions per two cores that figure allows, checked at twice
 *      SESSIONS: real time held when the playlists gained ≥ 0.95 media seconds per wall second on average and no
 *      newest segment is more than 9 s (3 × target) behind the wall clock.
 * The gateway logs at `info` as in production.
 *
 * BENCH_OPENS (20), BENCH_OPEN_GOP_OPENS (10), BENCH_WINDOW_S (20), BENCH_HLS_SESSIONS (10), BENCH_SECONDS (8,
 * per wrk run) override the defaults; BENCH_PARTS (`start,path,cpu`) picks parts; BENCH_LOGS and BENCH_PROFILE as
 * in live-stack.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import { extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { closeBrowser, launchBrowser, openPlayer } from '../support/browser-player.js';
import {
  BENCH_TOKEN,
  cpuSeconds,
  fetchRaw,
  machineJiffies,
  percentile,
  printTable,
  startBenchStack,
  stop,
  sum,
  waitNoReceiverStreams,
  type BenchChannel,
  type BenchStack,
} from './live-stack.js';
import {
  captureAnswer,
  startBaseline,
  statusCounts,
  unexpectedAnswers,
  wrk,
  wrkProblems,
  type CapturedAnswer,
} from './wrk.js';

const OPENS = Number(process.env['BENCH_OPENS'] ?? 20);
const WINDOW_MS = Number(process.env['BENCH_WINDOW_S'] ?? 20) * 1000;
const SESSIONS = Number(process.env['BENCH_HLS_SESSIONS'] ?? 10);
const LOAD = { connections: 16, seconds: Number(process.env['BENCH_SECONDS'] ?? 8) };
const HD_FIXTURE = 't1_720p50_ac3_mp2';
const CLOSED_GOP_FIXTURES = ['t2_1080i_eac3_ad_wrap', 't4_720p_eac3'];
const OPEN_GOP_STARTS = Number(process.env['BENCH_OPEN_GOP_OPENS'] ?? 10);
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'start,path,cpu').split(','));
const PLAYING_TIMEOUT_MS = 30_000;
const WARM_MS = 8_000;
const REAL_TIME = 0.95;
/** A session keeps up when its newest segment is at most this far behind the wall clock (3 × target). */
const MAX_LAG_S = 9;
/** What e2gate's HLS session makes: every audio track to stereo AAC (one muxed TS; e2gate cuts renditions). */
const FFMPEG_SAME_OUTPUT_ARGS = (input: string, dir: string) => [
  ...['-hide_banner', '-loglevel', 'error', '-i', input, '-map', '0:v', '-map', '0:a', '-c:v', 'copy'],
  ...['-c:a', 'aac', '-ac', '2', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '6'],
  ...['-hls_flags', 'delete_segments', join(dir, 'index.m3u8')],
];
const FFMPEG_HLS_ARGS = (input: string, dir: string) => [
  ...['-hide_banner', '-loglevel', 'error', '-i', input, '-c:v', 'copy', '-c:a', 'aac', '-ac', '2'],
  ...['-f', 'hls', '-hls_time', '2', '-hls_list_size', '6', '-hls_flags', 'delete_segments'],
  join(dir, 'index.m3u8'),
];
const MIME: Record<string, string> = { '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t' };

// ---------------------------------------------------------------------------------------------------------------
// The baseline: ffmpeg per viewer, as xg2g runs it

/**
 * `/ff/<name>/index.m3u8` starts `ffmpeg … -f hls` on the receiver URL `inputs.get(name)` (once) and answers when
 * ffmpeg has written the playlist (xg2g waits for it the same way); other files of the directory are served as they
 * are. `stopAll` ends every ffmpeg.
 */
class FfmpegHlsServer {
  private readonly processes = new Map<string, ChildProcess>();
  private server: Server | null = null;
  url = '';

  constructor(
    private readonly dir: string,
    private readonly inputs: Map<string, string>,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.answer(request.url ?? '/').then(
        ({ status, type, body }) => response.writeHead(status, { 'content-type': type }).end(body),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    }).listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  pids(): number[] {
    return [...this.processes.values()].map((p) => p.pid!);
  }

  /** Starts ffmpeg for `name` without a request (the CPU phase). */
  launch(name: string, args = FFMPEG_HLS_ARGS): void {
    if (this.processes.has(name)) return;
    const input = this.inputs.get(name);
    if (!input) throw new Error(`no input ${name}`);
    const out = join(this.dir, name);
    mkdirSync(out, { recursive: true });
    this.processes.set(name, spawn('ffmpeg', args(input, out), { stdio: 'ignore' }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => stop(p)));
    this.processes.clear();
  }

  async close(): Promise<void> {
    await this.stopAll();
    this.server?.close();
  }

  private async answer(url: string): Promise<{ status: number; type: string; body: Buffer | string }> {
    const match = /^\/ff\/([\w-]+)\/([\w.-]+)$/.exec(url.split('?')[0]!);
    if (!match) return { status: 404, type: 'text/plain', body: 'not found' };
    const [, name, file] = match as unknown as [string, string, string];
    const path = join(this.dir, name, file);
    if (file === 'index.m3u8') {
      this.launch(name);
      const deadline = performance.now() + PLAYING_TIMEOUT_MS;
      while (!existsSync(path) && performance.now() < deadline) await sleep(20);
    }
    if (!existsSync(path)) return { status: 404, type: 'text/plain', body: 'not written' };
    return { status: 200, type: MIME[extname(file)] ?? 'application/octet-stream', body: readFileSync(path) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Time to playing

interface Starts {
  /** ms from `loadSource` to `playing` of every start that played. */
  times: number[];
  /** Why the others did not (the player's first fatal error). */
  failures: string[];
}

/** One start in a new page, closed afterwards: ms to `playing`, or why it did not play. */
async function start(browser: Browser, url: string, into: Starts): Promise<void> {
  const player = await openPlayer(browser, url);
  try {
    into.times.push(await player.waitForPlaying(PLAYING_TIMEOUT_MS));
  } catch (error) {
    const fatal = (await player.fatalErrors().catch(() => []))[0];
    into.failures.push(fatal ? `${fatal.type} ${fatal.details}`.slice(0, 120) : String(error).slice(0, 120));
  } finally {
    await player.close();
  }
}

async function startTimes(
  stack: BenchStack,
  browser: Browser,
  channels: BenchChannel[],
  ffmpeg: FfmpegHlsServer,
): Promise<{ ours: Starts; theirs: Starts }> {
  const ours: Starts = { times: [], failures: [] };
  const theirs: Starts = { times: [], failures: [] };
  for (const channel of channels) {
    await start(browser, indexUrl(stack, channel), ours);
    await waitNoReceiverStreams(stack.sim);
    await start(browser, `${ffmpeg.url}/ff/${channel.id}/index.m3u8`, theirs);
    await ffmpeg.stopAll();
    await waitNoReceiverStreams(stack.sim);
  }
  return { ours, theirs };
}

const indexUrl = (stack: BenchStack, channel: BenchChannel) =>
  `${stack.gatewayUrl}/hls/${channel.id}/index.m3u8?profile=aac&token=${BENCH_TOKEN}`;

// ---------------------------------------------------------------------------------------------------------------
// 2. Gateway against bare Fastify

interface MediaLinks {
  videoPlaylist: string;
  audioPlaylist: string;
  firstVideoSegment: string;
}

/** Opens the channel's HLS session; the absolute URLs of its video and first audio playlists and a segment. */
async function mediaLinks(stack: BenchStack, channel: BenchChannel): Promise<MediaLinks> {
  const index = indexUrl(stack, channel);
  const answer = await fetchRaw(index);
  if (answer.status !== 200) throw new Error(`${index}: ${answer.status} ${answer.body.toString()}`);
  const lines = answer.body.toString('utf8').split('\n');
  const variant = lines.find((line) => line.length > 0 && !line.startsWith('#'))!;
  const audio = /URI="([^"]+)"/.exec(lines.find((line) => line.startsWith('#EXT-X-MEDIA:TYPE=AUDIO'))!)![1]!;
  const videoPlaylist = new URL(variant, index).href;
  const media = (await fetchRaw(videoPlaylist)).body.toString('utf8').split('\n');
  const segment = media.find((line) => line.length > 0 && !line.startsWith('#'))!;
  return {
    videoPlaylist,
    audioPlaylist: new URL(audio, index).href,
    firstVideoSegment: new URL(segment, videoPlaylist).href,
  };
}

async function requestPath(stack: BenchStack): Promise<{ rows: string[][]; problems: string[] }> {
  const channel = stack.channels.find((c) => c.fixture === HD_FIXTURE)!;
  const links = await mediaLinks(stack, channel);
  const dir = join(stack.work, 'captured');
  mkdirSync(dir, { recursive: true });
  const gzip = { 'accept-encoding': 'gzip' };
  const scenarios = [
    { name: 'media playlist 200 gzip', url: links.videoPlaylist, headers: gzip, route: ':playlist' },
    { name: 'video segment 200', url: links.firstVideoSegment, headers: {}, route: ':segment' },
  ];
  const manifest: CapturedAnswer[] = [];
  for (const [n, scenario] of scenarios.entries()) {
    const path = new URL(scenario.url).pathname;
    manifest.push((await captureAnswer(stack.gatewayUrl, path, {}, dir, `${n}`)).entry);
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const baseline = await startBaseline(dir);
  const rows: string[][] = [];
  const problems: string[] = [];
  try {
    for (const scenario of scenarios) {
      const route = `/hls/:channelId/s/:sessionId/:viewer/:exp/:sig/${scenario.route === ':playlist' ? ':playlist' : ':rendition/:segment'}`;
      const before = await statusCounts(stack.gatewayUrl, route);
      const ours = await wrk(scenario.url, scenario.headers, LOAD);
      const unexpected = unexpectedAnswers(before, await statusCounts(stack.gatewayUrl, route));
      if (unexpected) problems.push(`${scenario.name}: the gateway answered ${unexpected}`);
      const bare = await wrk(baseline.url + new URL(scenario.url).pathname, scenario.headers, LOAD);
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
      ]);
    }
  } finally {
    await stop(baseline.process);
  }
  return { rows, problems };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. CPU per session

/** Follows one HLS session as hls.js does: polls the video playlist, fetches each new video and audio segment. */
class HlsFollower {
  mediaSeconds = 0;
  failures = 0;
  /** Wall clock minus the end of the newest segment (its program date-time plus duration), seconds. */
  lagSeconds = 0;
  private readonly seen = new Set<string>();
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly links: MediaLinks) {
    this.done = this.loop();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      await this.poll().catch(() => this.failures++);
      await sleep(Math.max(0, 1000 - (performance.now() - started)));
    }
  }

  private async poll(): Promise<void> {
    const [video, audio] = await Promise.all([
      fetchRaw(this.links.videoPlaylist, { 'accept-encoding': 'identity' }),
      fetchRaw(this.links.audioPlaylist),
    ]);
    if (video.status !== 200 || audio.status !== 200) throw new Error('playlist');
    const videoText = video.body.toString('utf8');
    const pdt = /#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(videoText)?.[1];
    const listed = segmentsOf(videoText);
    if (pdt) this.lagSeconds = (Date.now() - Date.parse(pdt)) / 1000 - sum(listed.map((s) => s.duration));
    const audioSegments = segmentsOf(audio.body.toString('utf8'));
    for (const { uri, duration } of listed) {
      if (this.seen.has(uri)) continue;
      const first = this.seen.size === 0;
      this.seen.add(uri);
      if (first) continue; // what was there before the window started is not counted
      const audioUri = audioSegments.find((s) => s.sequence === sequenceOf(uri))?.uri;
      const fetches = [fetchRaw(new URL(uri, this.links.videoPlaylist).href)];
      if (audioUri) fetches.push(fetchRaw(new URL(audioUri, this.links.audioPlaylist).href));
      const answers = await Promise.all(fetches);
      if (answers.some((a) => a.status !== 200)) this.failures++;
      this.mediaSeconds += duration;
    }
  }
}

const sequenceOf = (uri: string) => Number(/(\d+)\.ts$/.exec(uri)?.[1] ?? NaN);

function segmentsOf(playlist: string): { uri: string; duration: number; sequence: number }[] {
  const lines = playlist.split('\n');
  const out: { uri: string; duration: number; sequence: number }[] = [];
  for (const [n, line] of lines.entries()) {
    if (!line.startsWith('#EXTINF:')) continue;
    const uri = lines.slice(n + 1).find((l) => l.length > 0 && !l.startsWith('#'))!;
    out.push({ uri, duration: Number(line.slice(8).split(',')[0]), sequence: sequenceOf(uri) });
  }
  return out;
}

interface CpuWindow {
  cores: Record<string, number>;
  machineBusyCores: number;
  realTime: number[];
  /** Per session at the window's end: how far its newest segment is behind the wall clock, seconds. */
  lag: number[];
  failures: number;
}

async function cpuWindow(groups: Record<string, number[]>, followers: HlsFollower[]): Promise<CpuWindow> {
  const read = () =>
    Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, sum(pids.map(cpuSeconds))]));
  const before = { cpu: read(), machine: machineJiffies(), media: followers.map((f) => f.mediaSeconds) };
  const from = performance.now();
  await sleep(WINDOW_MS);
  const seconds = (performance.now() - from) / 1000;
  const after = { cpu: read(), machine: machineJiffies() };
  return {
    cores: Object.fromEntries(
      Object.keys(groups).map((k) => [k, (after.cpu[k]! - before.cpu[k]!) / seconds]),
    ),
    machineBusyCores:
      ((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) *
      cpus().length,
    realTime: followers.map((f, n) => (f.mediaSeconds - before.media[n]!) / seconds),
    lag: followers.map((f) => f.lagSeconds),
    failures: sum(followers.map((f) => f.failures)),
  };
}

/** `count` HLS sessions with a follower each, measured over the window; every session closed afterwards. */
async function sessionsPhase(stack: BenchStack, channels: BenchChannel[]): Promise<CpuWindow> {
  const followers = (await Promise.all(channels.map((c) => mediaLinks(stack, c)))).map(
    (links) => new HlsFollower(links),
  );
  try {
    await sleep(WARM_MS);
    const { pids } = stack;
    return await cpuWindow(
      { transcoder: [pids.transcoder], gateway: [pids.gateway], 'nats-server': [pids['nats-server']] },
      followers,
    );
  } finally {
    await Promise.all(followers.map((f) => f.close()));
    await waitNoReceiverStreams(stack.sim);
  }
}

async function ffmpegPhase(
  ffmpeg: FfmpegHlsServer,
  channels: BenchChannel[],
  args = FFMPEG_HLS_ARGS,
): Promise<CpuWindow> {
  for (const channel of channels) ffmpeg.launch(channel.id, args);
  try {
    await sleep(WARM_MS);
    return await cpuWindow({ ffmpeg: ffmpeg.pids() }, []);
  } finally {
    await ffmpeg.stopAll();
  }
}

const mean = (values: number[]) => sum(values) / values.length;
const pct = (cores: number) => `${(cores * 100).toFixed(1)}%`;

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const stack = await startBenchStack({
    name: 'bench:live (HLS)',
    // Sessions end soon after their viewer leaves, so every start meets an idle machine.
    transcoderEnv: { E2GATE_HLS_SESSION_IDLE: '3s', E2GATE_TRANSCODER_MAX_SESSIONS: '1000' },
    // As in production: one JSON line per logged request (to /dev/null unless BENCH_LOGS is set).
    gatewayEnv: { LOG_LEVEL: 'info' },
  });
  let browser: Browser | undefined;
  const hd = stack.channels.filter((c) => c.fixture === HD_FIXTURE);
  const oneTransponderEach = [...new Map(hd.map((c) => [c.transponder, c])).values()];
  const ffmpeg = new FfmpegHlsServer(
    join(stack.work, 'ffmpeg-hls'),
    new Map(stack.channels.map((c) => [c.id, stack.receiverUrl(c)])),
  );
  try {
    if (oneTransponderEach.length < 2 * SESSIONS)
      throw new Error('not enough HD channels on separate transponders');
    const rest = oneTransponderEach;
    await ffmpeg.start();
    browser = await launchBrowser();
    const problems: string[] = [];

    if (PARTS.has('start')) {
      // Starts one at a time (no tuner limit applies): closed-GOP channels (1080i and 720p25 H.264), which
      // Chromium decodes from any keyframe; open-GOP channels (720p50, non-IDR I frames) apart, see below.
      const closedGop = stack.channels.filter((c) => CLOSED_GOP_FIXTURES.includes(c.fixture));
      const [warmUp, ...starts] = closedGop as [BenchChannel, ...BenchChannel[]];
      // A channel comes round again once the list is used up: its session has ended by then, so it starts anew.
      const startList = Array.from({ length: OPENS }, (_, n) => starts[n % starts.length]!);
      await startTimes(stack, browser, [warmUp], ffmpeg); // JIT, page cache, the browser's first page

      console.log(`\n1. time to hls.js 'playing' in Chromium, ${OPENS} starts of channels nobody watches`);
      const printStarts = (label: string, { ours, theirs }: { ours: Starts; theirs: Starts }) => {
        const row = (who: string, { times, failures }: Starts) => [
          who,
          (percentile(times, 50) / 1000).toFixed(2),
          (percentile(times, 95) / 1000).toFixed(2),
          (Math.max(...times) / 1000).toFixed(2),
          `${failures.length} of ${times.length + failures.length}`,
        ];
        console.log(`\n   ${label}`);
        printTable(
          ['pipeline', 'p50 s', 'p95 s', 'max s', 'failed'],
          [row('e2gate /hls (fast start)', ours), row('ffmpeg -f hls per viewer', theirs)],
        );
        const ratio = (p: number) => percentile(ours.times, p) / percentile(theirs.times, p);
        console.log(`ratio e2gate ÷ ffmpeg: p50 ${ratio(50).toFixed(2)}, p95 ${ratio(95).toFixed(2)}`);
        for (const [who, { failures }] of [
          ['e2gate', ours],
          ['ffmpeg', theirs],
        ] as const) {
          if (failures.length > 0) console.log(`${who} starts that did not play: ${failures.join('; ')}`);
        }
      };
      printStarts(
        'closed GOP (1080i25 and 720p25 H.264)',
        await startTimes(stack, browser, startList, ffmpeg),
      );
      const openGop = oneTransponderEach.slice(0, OPEN_GOP_STARTS);
      printStarts(
        'open GOP (720p50 H.264, non-IDR I frames with recovery point): Chromium refuses some starts',
        await startTimes(stack, browser, openGop, ffmpeg),
      );
    }
    if (PARTS.has('path')) {
      console.log(`\n2. gateway request path, wrk ${LOAD.connections} connections, ${LOAD.seconds} s each`);
      const path = await requestPath(stack);
      problems.push(...path.problems);
      printTable(['scenario', 'gateway req/s', 'p99 ms', 'bare Fastify req/s', 'p99 ms', 'ratio'], path.rows);
      await waitNoReceiverStreams(stack.sim);
    }
    if (PARTS.has('cpu')) {
      console.log(
        `\n3. CPU per HLS session (window ${WINDOW_MS / 1000} s after ${WARM_MS / 1000} s warm-up)`,
      );
      const ourWindow = await sessionsPhase(stack, rest.slice(0, SESSIONS));
      const stackCores = sum(Object.values(ourWindow.cores));
      const perSession = stackCores / SESSIONS;
      const ffWindow = await ffmpegPhase(ffmpeg, rest.slice(0, SESSIONS));
      const perFfmpeg = ffWindow.cores['ffmpeg']! / SESSIONS;
      const sameWindow = await ffmpegPhase(ffmpeg, rest.slice(0, SESSIONS), FFMPEG_SAME_OUTPUT_ARGS);
      const perSame = sameWindow.cores['ffmpeg']! / SESSIONS;
      const describe = (w: CpuWindow) =>
        `${Object.entries(w.cores)
          .map(([k, v]) => `${k} ${pct(v)}`)
          .join(', ')}; machine busy ${w.machineBusyCores.toFixed(2)} of ${cpus().length} cores`;
      console.log(
        `   e2gate, ${SESSIONS} sessions: ${pct(stackCores)} of a core (${describe(ourWindow)}); ` +
          `media seconds per wall second ×${mean(ourWindow.realTime).toFixed(2)} (mean), newest segment ` +
          `${Math.max(...ourWindow.lag).toFixed(1)} s behind the clock at worst, ${ourWindow.failures} failed fetches`,
      );
      console.log(`   ffmpeg -f hls, ${SESSIONS} processes: ${describe(ffWindow)}`);
      console.log(`   ffmpeg, every audio track to AAC: ${describe(sameWindow)}`);
      printTable(
        ['per session', 'CPU % of a core', 'e2gate ÷ this'],
        [
          ['e2gate (transcoder + gateway + nats), 2 AAC + AC-3 copy', pct(perSession), '1.00'],
          ['ffmpeg -c:a aac -ac 2 -f hls (1 AAC)', pct(perFfmpeg), (perSession / perFfmpeg).toFixed(2)],
          ['ffmpeg -map 0:a -c:a aac -ac 2 -f hls (2 AAC)', pct(perSame), (perSession / perSame).toFixed(2)],
        ],
      );
      if (ourWindow.failures > 0) problems.push(`${ourWindow.failures} segment or playlist fetches failed`);

      const check = Math.min(2 * SESSIONS, rest.length);
      const estimate = Math.floor(cpus().length / perSession);
      const checked = await sessionsPhase(stack, rest.slice(0, check));
      const held = mean(checked.realTime) >= REAL_TIME && Math.max(...checked.lag) <= MAX_LAG_S;
      console.log(
        `\nsessions per ${cpus().length} cores from the per-session figure: ${estimate}; at ${check} sessions ` +
          `real time ${held ? 'held' : 'NOT held'}: ×${mean(checked.realTime).toFixed(2)} media seconds per wall ` +
          `second (mean), newest segment ${Math.max(...checked.lag).toFixed(1)} s behind the clock at worst, ` +
          `stack ${pct(sum(Object.values(checked.cores)))} of a core, machine busy ` +
          `${checked.machineBusyCores.toFixed(2)} of ${cpus().length} cores`,
      );
    }
    if (problems.length > 0) console.log(`problems:\n  ${problems.join('\n  ')}`);
    console.log(`\nbench:live (HLS) took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await closeBrowser(browser);
    await ffmpeg.close();
    await stack.close();
  }
}

await main();
