// ffprobe/ffmpeg as the oracle: every output decodes cleanly, audio is AAC-LC 48 kHz stereo on every kept
// track with its language, durations and the A/V offset match the input, HLS segments start with a
// keyframe, last at most target + one GOP, and the playlist parses.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { MediaPlaylist } from '../index.js';
import { fixture, fixturePath, prepareFixtures } from './support/fixtures.js';
import {
  decodeErrors,
  formatDuration,
  packets,
  span,
  streams,
  tempFile,
  transportErrors,
} from './support/ffprobe.js';
import { runPipeline, segments, tsBytes } from './support/run.js';

beforeAll(() =>
  prepareFixtures(
    'radio_latm',
    'radio_mp2',
    't1_720p50_ac3_mp2',
    't2_1080i_eac3_ad_wrap',
    't3_576i_mpeg2',
    't4_720p_eac3',
    'hevc_720p50_eac3',
    'video_only_h264',
  ),
);

const AAC_FRAME = 1024 / 48_000;

/** Duration of one frame of each input audio codec, the tolerance for timing comparisons. */
const INPUT_FRAME: Record<string, number> = {
  ac3: 0.032,
  eac3: 0.032,
  mp2: 0.024,
  aac: AAC_FRAME,
  aac_latm: AAC_FRAME,
};

describe.each([
  't1_720p50_ac3_mp2',
  't2_1080i_eac3_ad_wrap',
  't3_576i_mpeg2',
  't4_720p_eac3',
  'hevc_720p50_eac3',
  'radio_mp2',
  'radio_latm',
  'video_only_h264',
])('TS output of %s', (name) => {
  it('decodes cleanly with AAC-LC stereo tracks, the same languages, durations and A/V offset', async () => {
    const input = fixturePath(name);
    const { outputs, stats } = await runPipeline(fixture(name));
    const output = tempFile('out.ts', tsBytes(outputs));
    expect(decodeErrors(output)).toEqual([]);
    expect(transportErrors(output)).toEqual([]);
    expect(stats.warningsTotal).toBe(0);

    const inStreams = streams(input);
    const outStreams = streams(output);
    const inAudio = inStreams.filter((s) => s.codec_type === 'audio');
    const outAudio = outStreams.filter((s) => s.codec_type === 'audio');
    expect(outAudio.map((s) => [s.codec_name, s.profile, s.sample_rate, s.channels])).toEqual(
      inAudio.map(() => ['aac', 'LC', '48000', 2]),
    );
    expect(outAudio.map((s) => s.tags?.language)).toEqual(inAudio.map((s) => s.tags?.language));
    expect(outStreams.filter((s) => s.codec_type === 'video').map((s) => s.codec_name)).toEqual(
      inStreams.filter((s) => s.codec_type === 'video').map((s) => s.codec_name),
    );

    const inVideo = inStreams.some((s) => s.codec_type === 'video') ? span(packets(input, 'v:0')) : undefined;
    const outVideo = inVideo ? span(packets(output, 'v:0')) : undefined;
    if (inVideo && outVideo) {
      expect(Math.abs(outVideo.start - inVideo.start)).toBeLessThan(0.001);
      expect(Math.abs(outVideo.end - inVideo.end)).toBeLessThan(0.001);
    }
    inAudio.forEach((audio, index) => {
      const frame = INPUT_FRAME[audio.codec_name]!;
      const source = span(packets(input, `a:${index}`));
      const result = span(packets(output, `a:${index}`));
      // The first AAC frame is the encoder's priming: real samples start one frame later.
      expect(Math.abs(result.start + AAC_FRAME - source.start)).toBeLessThanOrEqual(frame);
      expect(Math.abs(result.end - source.end)).toBeLessThanOrEqual(frame + AAC_FRAME);
      if (inVideo && outVideo) {
        const offsetIn = source.start - inVideo.start;
        const offsetOut = result.start + AAC_FRAME - outVideo.start;
        expect(Math.abs(offsetOut - offsetIn)).toBeLessThanOrEqual(frame);
      }
    });
  });
});

/** Largest distance between two keyframes of the input's video, in seconds. */
function longestGop(file: string): number {
  const keys = packets(file, 'v:0')
    .filter((p) => p.flags.startsWith('K'))
    .map((p) => Number(p.pts_time))
    .sort((a, b) => a - b);
  return Math.max(...keys.slice(1).map((t, i) => t - keys[i]!));
}

describe.each([
  ['t1_720p50_ac3_mp2', 2],
  ['t2_1080i_eac3_ad_wrap', 2],
  ['t3_576i_mpeg2', 4],
  ['hevc_720p50_eac3', 2],
  ['radio_mp2', 2],
])('HLS output of %s with %d s segments', (name, target) => {
  it('starts every segment with a keyframe, bounds durations and writes a playlist that parses', async () => {
    const input = fixturePath(name);
    const { outputs } = await runPipeline(fixture(name), { output: 'hls', segmentDuration: target });
    const list = segments(outputs);
    const dir = mkdtempSync(join(tmpdir(), 'e2gate-hls-'));
    const playlist = new MediaPlaylist({ kind: 'vod', targetDuration: target });
    for (const segment of list) {
      const file = `seg${segment.sequence}.ts`;
      writeFileSync(join(dir, file), segment.data!);
      playlist.push({ uri: file, duration: segment.duration!, independent: segment.keyframe! });
    }
    playlist.end();
    writeFileSync(join(dir, 'index.m3u8'), playlist.render());

    expect(list.map((s) => s.sequence)).toEqual(list.map((_, i) => i));
    expect(list.every((s) => s.keyframe && !s.discontinuity)).toBe(true);
    const hasVideo = streams(input).some((s) => s.codec_type === 'video');
    const limit = target + (hasVideo ? longestGop(input) : AAC_FRAME) + 0.001;
    for (const segment of list) expect(segment.duration!).toBeLessThanOrEqual(limit);
    for (const segment of list.slice(1)) expect(segment.startTime!).toBeGreaterThan(list[0]!.startTime!);
    if (hasVideo) {
      for (const segment of list) {
        const first = packets(join(dir, `seg${segment.sequence}.ts`), 'v:0')[0]!;
        expect(first.flags.startsWith('K')).toBe(true);
        const wrap = 2 ** 33;
        expect(((Math.round(Number(first.pts_time) * 90_000) % wrap) + wrap) % wrap).toBe(segment.pts);
      }
    }

    const playlistFile = join(dir, 'index.m3u8');
    const total = list.reduce((sum, s) => sum + s.duration!, 0);
    expect(Math.abs(formatDuration(playlistFile) - total)).toBeLessThan(0.1);
    expect(Math.abs(total - formatDuration(input))).toBeLessThan(0.1);
    expect(decodeErrors(playlistFile)).toEqual([]);
    expect(transportErrors(playlistFile)).toEqual([]);
  });
});

it('keeps only the requested languages, and the original AC-3 beside the AAC when asked', async () => {
  const { outputs, stats } = await runPipeline(fixture('t1_720p50_ac3_mp2'), {
    languages: ['ger'],
    keepOriginalAudio: true,
  });
  const output = tempFile('lang.ts', tsBytes(outputs));
  const audio = streams(output).filter((s) => s.codec_type === 'audio');
  expect(audio.map((s) => [s.codec_name, s.tags?.language, s.channels])).toEqual([
    ['aac', 'deu', 2],
    ['ac3', 'deu', 6],
  ]);
  expect(stats.streams.map((s) => s.codec)).toEqual(['h264', 'aac', 'ac3']);
  expect(decodeErrors(output)).toEqual([]);
});

it('keeps the original E-AC-3 beside the AAC, with its channels and language', async () => {
  const { outputs, stats } = await runPipeline(fixture('t4_720p_eac3'), { keepOriginalAudio: true });
  const output = tempFile('eac3.ts', tsBytes(outputs));
  const audio = streams(output).filter((s) => s.codec_type === 'audio');
  expect(audio.map((s) => [s.codec_name, s.tags?.language, s.channels])).toEqual([
    ['aac', 'eng', 2],
    ['eac3', 'eng', 6],
  ]);
  expect(stats.streams.map((s) => s.codec)).toEqual(['h264', 'aac', 'eac3']);
  expect(decodeErrors(output)).toEqual([]);
  expect(transportErrors(output)).toEqual([]);
});

describe.each(['t1_720p50_ac3_mp2', 't2_1080i_eac3_ad_wrap', 't3_576i_mpeg2', 'radio_mp2', 'radio_latm'])(
  'TS output of %s with audio copied',
  (name) => {
    it('keeps every audio track in its own codec, channels and language, decoding cleanly, same spans', async () => {
      const input = fixturePath(name);
      const { outputs, stats } = await runPipeline(fixture(name), { audio: 'copy' });
      const output = tempFile('copy.ts', tsBytes(outputs));
      expect(decodeErrors(output)).toEqual([]);
      expect(transportErrors(output)).toEqual([]);
      expect(stats.warningsTotal).toBe(0);
      const describe = (file: string) =>
        streams(file).map((s) => [s.codec_type, s.codec_name, s.channels, s.tags?.language]);
      expect(describe(output)).toEqual(describe(input));
      streams(input)
        .filter((s) => s.codec_type === 'audio')
        .forEach((audio, index) => {
          const frame = INPUT_FRAME[audio.codec_name]!;
          const source = span(packets(input, `a:${index}`));
          const result = span(packets(output, `a:${index}`));
          expect(Math.abs(result.end - source.end)).toBeLessThanOrEqual(frame);
          expect(result.start).toBeGreaterThanOrEqual(source.start - frame);
        });
    });
  },
);
