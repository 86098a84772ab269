#!/usr/bin/env node
// npm run bench:video [-- --runs N --no-capacity]
// Video transcoding in the engine against the ffmpeg CLI at equal settings (x264 veryfast, High profile, same
// output size and bit rate, an IDR every 2 s with no scene-cut keyframes, bwdif at field rate, AAC 192k with the
// same coder), side by side in one run on the same 60 s inputs (fixtures bench_60s_1080i: 1080i25 H.264 + MP2,
// bench_60s_576i: 576i25 MPEG-2 + MP2):
//   1. one rendition: 1080i → 720p50 and 576i → 480p50; the engine as a process (Node start-up and reading the
//      file counted) against one ffmpeg process;
//   2. the three-rung ladder 1080i → 720p50 + 480p50 + 360p50 from one decode: the engine against three separate
//      ffmpeg processes (each decodes and deinterlaces; the first also encodes the audio) and against one ffmpeg
//      process with three outputs (one decode, one deinterlace, split);
//   3. software sessions two cores keep in real time: estimated from CPU per content second, then checked by
//      running that many (and one more) engine processes at once: real time held when they all finish within
//      the content's duration.
// CPU = user + sys of the measured processes (bash `times`), the median of --runs runs (default 1).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { childTimes } from './child-times.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const self = fileURLToPath(import.meta.url);

// ---- child mode: one engine process over a file, output discarded -------------------------------------------
if (process.argv[2] === '--child') {
  const { LivePipeline } = await import('../index.js');
  const options = JSON.parse(process.argv[3]);
  const data = readFileSync(process.argv[4]);
  let wake;
  let segments = 0;
  const pipeline = new LivePipeline(options, (out) => {
    if (out.kind === 'segment') segments++;
    if (out.kind === 'drain') wake?.();
  });
  for (let offset = 0; offset < data.length; offset += 256 * 1024) {
    const piece = data.subarray(offset, offset + 256 * 1024);
    while (!pipeline.push(piece)) await new Promise((resolve) => (wake = resolve));
  }
  const stats = await pipeline.close();
  if (segments === 0 || stats.warningsTotal > 0) {
    console.error(`engine: ${segments} segments, warnings ${JSON.stringify(stats.warnings)}`);
    process.exit(1);
  }
  process.exit(0);
}

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1' }, 'no-capacity': { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));
const log = (message) => console.error(`[bench] ${message}`);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

const GOP_SECONDS = 2;
const BITRATE = { 720: 3_000_000, 480: 1_400_000, 360: 900_000 }; // the engine's defaults by height
const WIDTH = { 720: 1280, 480: 854, 360: 640 };

function repeated(command, args) {
  const results = Array.from({ length: runs }, () => childTimes(command, args));
  return { cpu: median(results.map((r) => r.cpu)), wall: median(results.map((r) => r.wall)) };
}

function engine(input, video) {
  const options = { output: 'hls', hlsRenditions: true, segmentDuration: GOP_SECONDS, video };
  return repeated(process.execPath, [self, '--child', JSON.stringify(options), input]);
}

/** x264 and GOP settings of the engine, for one ffmpeg output. */
function x264(height, index = 0) {
  const bitrate = BITRATE[height];
  return [
    ...[`-c:v:${index}`, 'libx264', `-preset:v:${index}`, 'veryfast', `-profile:v:${index}`, 'high'],
    ...[`-b:v:${index}`, String(bitrate), `-maxrate:v:${index}`, String(bitrate * 1.5)],
    ...[`-bufsize:v:${index}`, String(bitrate * 3), `-g:v:${index}`, '200'],
    ...['-force_key_frames', `expr:gte(t,n_forced*${GOP_SECONDS})`, '-forced-idr', '1'],
    ...['-x264-params', 'scenecut=0:open-gop=0:aud=1:repeat-headers=1:force-cfr=1'],
  ];
}

const AUDIO = ['-c:a', 'aac', '-b:a', '192k', '-ac', '2', '-aac_coder', 'fast', '-aac_ms', '0'];

function ffmpegOne(input, height) {
  return repeated('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-y', '-i', input, '-map', '0:v:0', '-map', '0:a'],
    ...['-vf', `bwdif=mode=send_field,scale=${WIDTH[height]}:${height}`, ...x264(height), ...AUDIO],
    ...['-f', 'mpegts', '/dev/null'],
  ]);
}

function ffmpegLadderOneProcess(input, heights) {
  const split = heights.map((_, n) => `[s${n}]`).join('');
  const scales = heights.map((h, n) => `[s${n}]scale=${WIDTH[h]}:${h}[o${n}]`).join(';');
  const outputs = heights.flatMap((h, n) => [
    '-map',
    `[o${n}]`,
    ...x264(h, 0),
    ...(n === 0 ? ['-map', '0:a', ...AUDIO] : []),
    '-f',
    'mpegts',
    '/dev/null',
  ]);
  return repeated('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-y', '-i', input],
    ...['-filter_complex', `[0:v]bwdif=mode=send_field,split=${heights.length}${split};${scales}`],
    ...outputs,
  ]);
}

function ffmpegLadderSeparate(input, heights) {
  const results = heights.map((height, n) =>
    repeated('ffmpeg', [
      ...['-nostdin', '-v', 'error', '-y', '-i', input, '-map', '0:v:0', ...(n === 0 ? ['-map', '0:a'] : [])],
      ...['-vf', `bwdif=mode=send_field,scale=${WIDTH[height]}:${height}`, ...x264(height)],
      ...(n === 0 ? AUDIO : ['-an']),
      ...['-f', 'mpegts', '/dev/null'],
    ]),
  );
  return { cpu: results.reduce((s, r) => s + r.cpu, 0), wall: results.reduce((s, r) => s + r.wall, 0) };
}

/** `count` engine processes at once over the same input; the wall time until the last one ends. */
async function concurrent(count, input, video) {
  const options = JSON.stringify({ output: 'hls', hlsRenditions: true, segmentDuration: GOP_SECONDS, video });
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [self, '--child', options, input], { stdio: 'ignore' });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`engine exited ${code}`))));
        }),
    ),
  );
  return (performance.now() - started) / 1000;
}

function fixture(name) {
  const dir = execFileSync('bash', [join(root, 'test/fixtures/make-fixtures.sh'), name], {
    encoding: 'utf8',
  }).trim();
  return join(dir, `${name}.ts`);
}

function duration(file) {
  return Number(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
      encoding: 'utf8',
    }),
  );
}

const hd = fixture('bench_60s_1080i');
const sd = fixture('bench_60s_576i');
const content = { [hd]: duration(hd), [sd]: duration(sd) };
log(
  `inputs: ${hd} (${content[hd].toFixed(1)} s), ${sd} (${content[sd].toFixed(1)} s); ${cpus().length} cores; ${runs} run(s) each`,
);

const rows = [];
function row(name, input, ours, theirs) {
  const seconds = content[input];
  rows.push([
    name,
    (ours.cpu / seconds).toFixed(3),
    (seconds / ours.wall).toFixed(2),
    (theirs.cpu / seconds).toFixed(3),
    (seconds / theirs.wall).toFixed(2),
    (ours.cpu / theirs.cpu).toFixed(2),
  ]);
}

const cases = [
  { name: '1080i25 → 720p50', input: hd, height: 720 },
  { name: '576i25 → 480p50', input: sd, height: 480 },
];
const perSecond = {};
for (const { name, input, height } of cases) {
  log(`${name}: engine`);
  const ours = engine(input, { mode: 'transcode', height, encoder: 'software' });
  log(`${name}: ffmpeg`);
  const theirs = ffmpegOne(input, height);
  row(name, input, ours, theirs);
  perSecond[name] = ours.cpu / content[input];
}
const heights = [720, 480, 360];
log('ladder: engine');
const ladder = engine(hd, {
  mode: 'transcode',
  height: 720,
  encoder: 'software',
  ladder: [{ height: 480 }, { height: 360 }],
});
log('ladder: three ffmpeg processes');
const separate = ffmpegLadderSeparate(hd, heights);
log('ladder: one ffmpeg process, three outputs');
const together = ffmpegLadderOneProcess(hd, heights);
row('ladder 720p50+480p50+360p50 vs 3 ffmpeg processes', hd, ladder, separate);
row('ladder vs 1 ffmpeg process with 3 outputs', hd, ladder, together);

console.log(
  '\nbench:video — CPU seconds per content second (user+sys) and real-time factor (content ÷ wall)\n',
);
const header = ['case', 'engine cpu/s', 'engine ×rt', 'ffmpeg cpu/s', 'ffmpeg ×rt', 'cpu ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const line of [header, ...rows])
  console.log(
    line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '),
  );

if (!values['no-capacity']) {
  console.log(
    '\nsoftware sessions two cores keep in real time (engine processes at once over the 60 s input)\n',
  );
  for (const { name, input, height } of cases) {
    const estimate = Math.floor(2 / perSecond[name]);
    for (const count of [estimate, estimate + 1]) {
      if (count < 1) continue;
      log(`${name}: ${count} at once`);
      const wall = await concurrent(count, input, { mode: 'transcode', height, encoder: 'software' });
      const held = wall <= content[input];
      console.log(
        `${name}: ${count} sessions → ${wall.toFixed(1)} s for ${content[input].toFixed(1)} s of content (${(content[input] / wall).toFixed(2)}× real time) ${held ? 'held' : 'NOT held'}; estimate from CPU: ${(2 / perSecond[name]).toFixed(1)}`,
      );
    }
  }
}
