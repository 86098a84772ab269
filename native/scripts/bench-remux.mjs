#!/usr/bin/env node
// npm run bench:remux [-- --runs N --seconds 60|120 --input FILE --capacity-seconds S --no-capacity]
// The engine against the ffmpeg CLI and the pure codec cost, side by side in one run, on the same broadcast-like
// input (720p50 H.264 9 Mb/s + AC-3 5.1 448k + MP2 160k; fixture bench_60s_720p50, or bench_120s_720p50).
// The remux CLI's cost beyond the in-process pipeline is broken down: Node start-up with the addon loaded, and
// reading + writing the file through Node streams without the engine.
// CPU = user + sys of the measured process (children's rusage via bash `times`, or this process's
// process.cpuUsage() for in-process runs), so other load on the machine changes wall time, not the figures.
// Each figure is the median of --runs runs (default 3). Prints a table, ratios, latency, and capacity: the
// estimate from CPU per content second, and a measurement (concurrent HLS pipelines paced in real time in
// this one Node process, the largest count where every push stays on schedule).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { LivePipeline, probeSync } from '../index.js';
import { childTimes } from './child-times.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const nativeDir = join(root, 'native');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '60' },
    input: { type: 'string' },
    'no-capacity': { type: 'boolean', default: false },
    'capacity-seconds': { type: 'string', default: '20' },
  },
});
const capacitySeconds = Math.max(5, Number(values['capacity-seconds']));
const runs = Math.max(1, Number(values.runs));
const work = mkdtempSync(join(tmpdir(), 'e2gate-bench-'));

function log(message) {
  console.error(`[bench] ${message}`);
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** user+sys seconds of a child process. */
function childCpu(command, args) {
  return childTimes(command, args).cpu;
}

/** Runs the pipeline in this process; returns CPU seconds (all threads) and the first-output timings. */
async function inProcess(data, options, pace) {
  const before = process.cpuUsage();
  const started = performance.now();
  let firstOutput;
  let wake;
  const pipeline = new LivePipeline(options, (out) => {
    if ((out.kind === 'ts' || out.kind === 'segment') && firstOutput === undefined)
      firstOutput = { at: performance.now(), out };
    if (out.kind === 'drain') wake?.();
  });
  const chunk = 64 * 1024;
  const pushTimes = [];
  let stage = 'pushing';
  // A benchmark must never hang silently: report where it stopped.
  const watchdog = setInterval(() => {
    if (performance.now() - started < 120_000) return;
    console.error(`[bench] in-process run stuck while ${stage}:`, pipeline.stats());
    process.exit(1);
  }, 5_000);
  for (let offset = 0; offset < data.length; offset += chunk) {
    if (pace) {
      const due = started + ((offset + chunk) / pace.bytesPerSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const piece = data.subarray(offset, offset + chunk);
    while (!pipeline.push(piece)) await new Promise((resolve) => (wake = resolve));
    pushTimes.push({ end: offset + piece.length, at: performance.now() });
    if (pace && firstOutput && pace.stopAfterFirst) break;
  }
  stage = 'closing';
  const stats = await pipeline.close();
  clearInterval(watchdog);
  const usage = process.cpuUsage(before);
  return { cpu: (usage.user + usage.system) / 1e6, firstOutput, pushTimes, stats };
}

/** Byte offset at which the video PES with presentation time `pts` (90 kHz, 33 bits) is complete. */
function completionOffset(data, videoPid, pts) {
  let found = false;
  for (let offset = 0; offset + 188 <= data.length; offset += 188) {
    const pid = ((data[offset + 1] & 0x1f) << 8) | data[offset + 2];
    if (pid !== videoPid || (data[offset + 1] & 0x40) === 0) continue;
    if (found) return offset; // the next PES on the PID starts: the one we looked for is complete
    const afc = (data[offset + 3] >> 4) & 0x3;
    const start = offset + 4 + (afc & 0x2 ? 1 + data[offset + 4] : 0);
    if (data[start + 7] >> 6 === 0) continue;
    const p = data.subarray(start + 9, start + 14);
    const value = (p[0] >> 1) & 0x07;
    const ticks = value * 2 ** 30 + (p[1] << 22) + ((p[2] >> 1) << 15) + (p[3] << 7) + (p[4] >> 1);
    if (pts === undefined || ticks === pts) found = true;
  }
  return data.length;
}

function timeAt(pushTimes, offset) {
  return pushTimes.find((p) => p.end >= offset)?.at;
}

if (!['60', '120'].includes(values.seconds)) throw new Error('--seconds: 60 or 120');
const fixtureName = `bench_${values.seconds}s_720p50`;
const input =
  values.input ??
  join(
    execFileSync('bash', [join(root, 'test/fixtures/make-fixtures.sh'), fixtureName], {
      encoding: 'utf8',
    }).trim(),
    `${fixtureName}.ts`,
  );
log(`input ${input}`);
const data = readFileSync(input);
const probe = probeSync(data.subarray(0, 8 << 20));
const program = probe.programs[0];
const video = program.streams.find((s) => s.kind === 'video');
const content = Number(
  execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', input], {
    encoding: 'utf8',
  }),
);
log(
  `${content.toFixed(2)} s of ${program.streams.map((s) => s.codec).join(' + ')}, ${(data.length / 2 ** 20).toFixed(1)} MiB`,
);

log('building the codec-floor example');
execFileSync('cargo', ['build', '--release', '--quiet', '-p', 'e2gate-engine', '--example', 'codec_floor'], {
  cwd: nativeDir,
  stdio: 'inherit',
});
const floorBin = join(nativeDir, 'target/release/examples/codec_floor');

const audioFiles = program.streams
  .filter((s) => s.kind === 'audio')
  .map((s, i) => {
    const file = join(work, `a${i}.${s.codec}`);
    execFileSync('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-i',
      input,
      '-map',
      `0:a:${i}`,
      '-c',
      'copy',
      '-f',
      s.codec,
      file,
    ]);
    return file;
  });

const ff = [
  '-nostdin',
  '-v',
  'error',
  '-y',
  '-i',
  input,
  '-map',
  '0',
  '-c:v',
  'copy',
  '-c:a',
  'aac',
  '-b:a',
  '192k',
];
const out = (name) => join(work, name);
const fresh = (name) => {
  rmSync(out(name), { recursive: true, force: true });
  execFileSync('mkdir', ['-p', out(name)]);
  return out(name);
};
const ffFloorArgs = [
  '-nostdin',
  '-v',
  'error',
  ...audioFiles.flatMap((f) => ['-i', f]),
  ...audioFiles.flatMap((_, i) => ['-map', `${i}:a`]),
];
const remux = join(nativeDir, 'scripts/remux.mjs');
const addonUrl = new URL('../index.js', import.meta.url).href;
// What the CLI does besides the pipeline, each alone: start Node and load the addon; stream the file in and out.
const startupScript = `await import(${JSON.stringify(addonUrl)});`;
const fileIoScript = `import { createReadStream, createWriteStream } from 'node:fs';
createReadStream(${JSON.stringify(input)}, { highWaterMark: 512 * 1024 }).pipe(createWriteStream(${JSON.stringify(out('io.ts'))}));`;
// Every measurement runs once per round, rounds repeat: a change in the machine's load hits all of them alike.
const measurements = [
  [
    'engine TS (remux CLI, node startup included)',
    () => childCpu('node', [remux, '--quiet', input, out('e.ts')]),
  ],
  [
    'engine HLS 2 s (remux CLI)',
    () => childCpu('node', [remux, '--quiet', '--hls', fresh('e-hls'), '--segment', '2', input]),
  ],
  ['engine TS (in process)', async () => (await inProcess(data, { output: 'ts' })).cpu],
  [
    'CLI part: node start-up + addon load',
    () => childCpu('node', ['--input-type=module', '-e', startupScript]),
  ],
  [
    'CLI part: file read + write through node streams',
    () => childCpu('node', ['--input-type=module', '-e', fileIoScript]),
  ],
  [
    'engine HLS 2 s (in process)',
    async () => (await inProcess(data, { output: 'hls', segmentDuration: 2 })).cpu,
  ],
  [
    'ffmpeg -f mpegts (issue command, AAC 5.1 from AC-3)',
    () => childCpu('ffmpeg', [...ff, '-f', 'mpegts', out('f.ts')]),
  ],
  [
    'ffmpeg -f mpegts -ac 2 (equal settings)',
    () => childCpu('ffmpeg', [...ff, '-ac', '2', '-f', 'mpegts', out('f2.ts')]),
  ],
  [
    'ffmpeg -f hls -hls_time 2 (issue command)',
    () =>
      childCpu('ffmpeg', [
        ...ff,
        '-f',
        'hls',
        '-hls_time',
        '2',
        '-hls_list_size',
        '0',
        join(fresh('f-hls'), 'index.m3u8'),
      ]),
  ],
  [
    'ffmpeg -f hls -hls_time 2 -ac 2 (equal settings)',
    () =>
      childCpu('ffmpeg', [
        ...ff,
        '-ac',
        '2',
        '-f',
        'hls',
        '-hls_time',
        '2',
        '-hls_list_size',
        '0',
        join(fresh('f2-hls'), 'index.m3u8'),
      ]),
  ],
  [
    'codec floor (engine codec only: decode+downmix+encode)',
    () => JSON.parse(execFileSync(floorBin, [input], { encoding: 'utf8' })).cpuSeconds,
  ],
  [
    'ffmpeg codec only (raw audio in, -ac 2, -f null)',
    () => childCpu('ffmpeg', [...ffFloorArgs, '-c:a', 'aac', '-b:a', '192k', '-ac', '2', '-f', 'null', '-']),
  ],
];
const samples = new Map(measurements.map(([name]) => [name, []]));
for (let round = 1; round <= runs; round++) {
  for (const [name, run] of measurements) samples.get(name).push(await run());
  log(`round ${round}/${runs} done`);
}
const rows = measurements.map(([name]) => {
  const list = samples.get(name);
  log(`${name}: ${list.map((s) => s.toFixed(3)).join(' / ')} s`);
  const cpu = median(list);
  return { name, cpu, perSecond: cpu / content };
});
const floor = rows.find((r) => r.name.startsWith('codec floor')).cpu;

// Latency, paced at the input's own rate (a live source), one run each.
const bytesPerSecond = data.length / content;
const firstKeyframeDone = completionOffset(data, video.pid, undefined);
const tsLive = await inProcess(data, { output: 'ts' }, { bytesPerSecond, stopAfterFirst: true });
const tsLatency = tsLive.firstOutput.at - timeAt(tsLive.pushTimes, firstKeyframeDone);
const hlsLive = await inProcess(
  data,
  { output: 'hls', segmentDuration: 2 },
  { bytesPerSecond, stopAfterFirst: true },
);
const first = hlsLive.firstOutput.out;
const closingKeyframe = (first.pts + Math.round(first.duration * 90_000)) % 2 ** 33;
const hlsLatency =
  hlsLive.firstOutput.at - timeAt(hlsLive.pushTimes, completionOffset(data, video.pid, closingKeyframe));
const fast = await inProcess(data.subarray(0, 8 << 20), { output: 'ts' });
const fastLatency = fast.firstOutput.at - fast.pushTimes[0].at;

const engine = rows.find((r) => r.name === 'engine TS (in process)');
const engineHls = rows.find((r) => r.name === 'engine HLS 2 s (in process)');
const cli = rows.find((r) => r.name.startsWith('engine TS (remux CLI'));
const cliHls = rows.find((r) => r.name.startsWith('engine HLS 2 s (remux CLI'));
const by = (prefix) => rows.find((r) => r.name.startsWith(prefix));

console.log(
  `\ne2gate remux benchmark — ${content.toFixed(1)} s input, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), median of ${runs}`,
);
console.log(`${'measurement'.padEnd(58)} ${'CPU s'.padStart(8)} ${'CPU s / content s'.padStart(18)}`);
for (const r of rows)
  console.log(`${r.name.padEnd(58)} ${r.cpu.toFixed(3).padStart(8)} ${r.perSecond.toFixed(4).padStart(18)}`);
const ratio = (a, b) => `${(a.cpu / b.cpu).toFixed(2)}×`;
console.log('\nratios (engine / baseline, lower is better)');
console.log(
  `  TS : CLI ${ratio(cli, by('ffmpeg -f mpegts -ac 2'))} of ffmpeg -ac 2, ${ratio(cli, by('ffmpeg -f mpegts (issue'))} of the issue command; in-process ${ratio(engine, by('ffmpeg -f mpegts -ac 2'))} / ${ratio(engine, by('ffmpeg -f mpegts (issue'))}`,
);
console.log(
  `  HLS: CLI ${ratio(cliHls, by('ffmpeg -f hls -hls_time 2 -ac 2'))} of ffmpeg -ac 2, ${ratio(cliHls, by('ffmpeg -f hls -hls_time 2 (issue'))} of the issue command; in-process ${ratio(engineHls, by('ffmpeg -f hls -hls_time 2 -ac 2'))} / ${ratio(engineHls, by('ffmpeg -f hls -hls_time 2 (issue'))}`,
);
const startup = by('CLI part: node start-up').cpu;
const fileIo = by('CLI part: file read').cpu;
console.log(
  `  CLI beyond in-process (TS): ${(cli.cpu - engine.cpu).toFixed(3)} s = node start-up + addon ${startup.toFixed(3)} s + file read/write ${fileIo.toFixed(3)} s + rest ${(cli.cpu - engine.cpu - startup - fileIo).toFixed(3)} s (512 KiB pushes, output buffers, GC)`,
);
console.log(
  `  codec floor: engine TS in-process ${ratio(engine, { cpu: floor })}, HLS ${ratio(engineHls, { cpu: floor })} (target ≤ 1.10×); ffmpeg's own codec-only run is ${ratio(by('ffmpeg codec only'), { cpu: floor })} of the floor`,
);
console.log('\nlatency (input paced at its own bit rate, 64 KiB chunks)');
console.log(
  `  first TS bytes: ${tsLatency.toFixed(1)} ms after the first keyframe was complete in the input (target ≤ 100 ms)`,
);
console.log(
  `  first HLS segment (${first.duration.toFixed(2)} s): ${hlsLatency.toFixed(1)} ms after the keyframe that closes it was complete`,
);
console.log(`  unpaced: first TS bytes ${fastLatency.toFixed(1)} ms after the first push`);
const cores = cpus().length;
const estimate = cores / engine.perSecond;
const estimateHls = cores / engineHls.perSecond;
console.log(
  `\ncapacity estimate: ${cores} cores ≈ ${Math.floor(estimate)} real-time TS pipelines, ≈ ${Math.floor(estimateHls)} HLS pipelines (cores / CPU-s per content-s)`,
);
if (!values['no-capacity']) {
  log('measuring capacity: concurrent pipelines paced in real time');
  const measured = await measureCapacity(data, bytesPerSecond, estimateHls);
  console.log(
    `capacity measured: ${measured.sustained} concurrent real-time HLS pipelines in one Node process kept up (${capacitySeconds} s of input each; ${measured.failedAt ? `${measured.failedAt} fell behind` : 'no tested count fell behind'})`,
  );
  for (const trial of measured.trials)
    console.log(
      `  ${String(trial.count).padStart(4)} pipelines: worst push ${trial.worstLateMs.toFixed(0)} ms late, slowest close ${trial.closeLagMs.toFixed(0)} ms after its last push, ${trial.cpuPercent.toFixed(0)} % CPU → ${trial.ok ? 'kept up' : 'fell behind'}`,
    );
}
rmSync(work, { recursive: true, force: true });

/**
 * Runs `count` HLS pipelines at once in this process, each fed the first `capacitySeconds` of the input at its
 * own bit rate (staggered starts, like viewers arriving), the outputs consumed as the transcoder would.
 * A pipeline keeps up when no push is more than a second late and close() settles within a second of its
 * last push.
 */
async function concurrentRun(count, source, rate) {
  const slice = source.subarray(0, Math.min(source.length, Math.round(rate * capacitySeconds)));
  const chunk = 64 * 1024;
  const before = process.cpuUsage();
  const wallStart = performance.now();
  const one = async (index) => {
    await new Promise((resolve) => setTimeout(resolve, (index / count) * 1000));
    let wake;
    const pipeline = new LivePipeline({ output: 'hls', segmentDuration: 2 }, (out) => {
      if (out.kind === 'drain') wake?.();
    });
    const started = performance.now();
    let worstLate = 0;
    for (let offset = 0; offset < slice.length; offset += chunk) {
      const due = started + (offset / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      worstLate = Math.max(worstLate, performance.now() - due);
      const piece = slice.subarray(offset, offset + chunk);
      while (!pipeline.push(piece)) await new Promise((resolve) => (wake = resolve));
    }
    const lastPush = performance.now();
    await pipeline.close();
    return { worstLate, closeLag: performance.now() - lastPush };
  };
  const results = await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
  const usage = process.cpuUsage(before);
  const wall = (performance.now() - wallStart) / 1000;
  const worstLateMs = Math.max(...results.map((r) => r.worstLate));
  const closeLagMs = Math.max(...results.map((r) => r.closeLag));
  return {
    count,
    worstLateMs,
    closeLagMs,
    cpuPercent: ((usage.user + usage.system) / 1e6 / wall) * 100,
    ok: worstLateMs < 1000 && closeLagMs < 1000,
  };
}

/** Largest count that keeps up: counts around the CPU estimate, then a bisection between the last good and first bad. */
async function measureCapacity(source, rate, estimated) {
  const trials = [];
  let good = 0;
  let bad;
  for (const fraction of [0.5, 0.8, 1.0, 1.2]) {
    const count = Math.max(1, Math.floor(estimated * fraction));
    if (count <= good) continue;
    const trial = await concurrentRun(count, source, rate);
    trials.push(trial);
    if (!trial.ok) {
      bad = count;
      break;
    }
    good = count;
  }
  while (bad !== undefined && bad - good > Math.max(2, Math.ceil(good * 0.05))) {
    const count = Math.floor((good + bad) / 2);
    const trial = await concurrentRun(count, source, rate);
    trials.push(trial);
    if (trial.ok) good = count;
    else bad = count;
  }
  return { sustained: good, failedAt: bad, trials: trials.sort((a, b) => a.count - b.count) };
}
