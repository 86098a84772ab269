#!/usr/bin/env node
// npm run remux -- [options] IN.ts|- [OUT.ts|-]
// Runs the native engine on a file or stdin through the binding: video copied, every audio track to AAC-LC,
// out as one transport stream (OUT, default stdout) or as HLS segments plus index.m3u8 (--hls DIR).
import { createReadStream, createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { LivePipeline, MediaPlaylist } from '../index.js';

const USAGE = `usage: npm run remux -- [options] IN.ts|- [OUT.ts|-]
  --hls DIR             write HLS segments and DIR/index.m3u8 instead of one transport stream
  --segment SECONDS     target segment duration (default 2)
  --window N            live playlist keeping the last N segments (default: keep all, EVENT playlist)
  --audio-bitrate RATE  AAC bit rate, e.g. 192k (default 192k)
  --program SID         follow this DVB service id (default: the first program with a PMT)
  --languages LIST      keep only these audio languages, e.g. deu,eng
  --keep-original       also copy AC-3/E-AC-3 tracks beside their AAC version
  --quiet               no statistics on stderr`;

function fail(message) {
  console.error(`remux: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseBitrate(text) {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  if (!match) fail(`--audio-bitrate: '${text}' is not a rate like 192k`);
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2]];
  return Math.round(Number(match[1]) * scale);
}

function parseNumber(name, text) {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) fail(`--${name}: '${text}' is not a number`);
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      hls: { type: 'string' },
      segment: { type: 'string' },
      window: { type: 'string' },
      'audio-bitrate': { type: 'string' },
      program: { type: 'string' },
      languages: { type: 'string' },
      'keep-original': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  fail(error.message);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [inputPath, outputPath = '-'] = positionals;
if (!inputPath || positionals.length > 2) fail('expected IN and optionally OUT');
if (values.hls && positionals.length > 1) fail('OUT cannot be combined with --hls');

const segmentDuration = values.segment === undefined ? 2 : parseNumber('segment', values.segment);
const options = {
  output: values.hls ? 'hls' : 'ts',
  segmentDuration,
  audioBitrate: values['audio-bitrate'] === undefined ? undefined : parseBitrate(values['audio-bitrate']),
  serviceId: values.program === undefined ? undefined : parseNumber('program', values.program),
  languages: values.languages?.split(',').map((code) => code.trim()),
  keepOriginalAudio: values['keep-original'] ?? false,
};

const input = inputPath === '-' ? process.stdin : createReadStream(inputPath, { highWaterMark: 512 * 1024 });
const output = values.hls ? undefined : outputPath === '-' ? process.stdout : createWriteStream(outputPath);
let playlist;
if (values.hls) {
  mkdirSync(values.hls, { recursive: true });
  const window = values.window === undefined ? undefined : parseNumber('window', values.window);
  playlist = new MediaPlaylist({
    kind: window === undefined ? 'event' : 'live',
    window: window ?? 0,
    targetDuration: segmentDuration,
  });
}

/** Writes a file next to its final name first, so a reader never sees half a segment or playlist. */
function writeAtomically(path, data) {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

function writePlaylist() {
  writeAtomically(join(values.hls, 'index.m3u8'), playlist.render());
}

let drainPromise;
/** One shared wait for the output's 'drain', however many outputs are held back by it. */
function outputDrained() {
  drainPromise ??= new Promise((resolve) =>
    output.once('drain', () => {
      drainPromise = undefined;
      resolve();
    }),
  );
  return drainPromise;
}

function onOutput(out) {
  switch (out.kind) {
    case 'ts':
      // A full write buffer holds the output back, which stops the pipeline, which pauses the input.
      return output.write(out.data) ? undefined : outputDrained();
    case 'segment': {
      const name = `seg-${out.sequence}.ts`;
      writeAtomically(join(values.hls, name), out.data);
      const fresh = out.sequence === 0 || out.discontinuity;
      playlist.push({
        uri: name,
        duration: out.duration,
        discontinuity: out.discontinuity,
        independent: out.keyframe,
        programDateTime: fresh ? Date.now() : undefined,
      });
      writePlaylist();
      return undefined;
    }
    case 'drain':
      resumeInput();
      drained?.();
      return undefined;
    case 'error':
      console.error(`remux: ${out.code}: ${out.message}`);
      return undefined;
    case 'end':
      return undefined;
  }
}

let pipeline;
try {
  pipeline = new LivePipeline(options, onOutput);
} catch (error) {
  console.error(`remux: ${error.code ?? 'error'}: ${error.message}`);
  process.exit(2);
}

let pending;
let drained;
function resumeInput() {
  if (pending && pipeline.push(pending)) {
    pending = undefined;
    input.resume();
  }
}
input.on('data', (chunk) => {
  if (!pipeline.push(chunk)) {
    pending = chunk;
    input.pause();
  }
});
output?.on('error', (error) => {
  // The reader went away (EPIPE from a closed pipe) or the disk failed: stop without a stack trace.
  if (error.code !== 'EPIPE') console.error(`remux: cannot write ${outputPath}: ${error.message}`);
  pipeline.destroy();
  process.exit(error.code === 'EPIPE' ? 0 : 1);
});
input.on('error', (error) => {
  console.error(`remux: cannot read ${inputPath}: ${error.message}`);
  pipeline.destroy();
  process.exit(1);
});
input.on('end', async () => {
  while (pending) await new Promise((resolve) => (drained = resolve));
  const stats = await pipeline.close();
  if (playlist) {
    playlist.end();
    writePlaylist();
  }
  if (output && output !== process.stdout) await new Promise((resolve) => output.end(resolve));
  if (!values.quiet) {
    const warnings =
      Object.entries(stats.warnings)
        .map(([kind, n]) => `${kind}=${n}`)
        .join(' ') || 'none';
    const streams = stats.streams
      .map((s) => `${s.codec}${s.language ? `(${s.language})` : ''}@${s.pid}`)
      .join(' ');
    console.error(
      `remux: ${stats.state}; program ${stats.programNumber ?? '-'}; ${stats.bytesIn} bytes in, ${stats.bytesOut} out; ` +
        `${stats.videoFrames} video frames, ${stats.audioFramesIn} audio frames in, ${stats.audioFramesOut} AAC out; ` +
        `${stats.segments} segments; streams ${streams || 'none'}; warnings ${warnings}`,
    );
  }
  process.exitCode = stats.state === 'closed' ? 0 : 1;
});
