// HLS renditions and stream descriptions, with ffprobe/ffmpeg as the oracle: every part of a segment is one
// transport stream holding PAT, PMT and one elementary PID of the right codec and language; the parts of one
// rendition concatenate into a stream that decodes and demultiplexes without errors; the parts of a segment start
// together; the 'streams' output describes what FFmpeg reads (codecs string against the parameter-set fields,
// size, frame rate, interlacing, channels), and comes again after a PMT change.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import type { LivePipelineOptions, OutputStreamInfo, PipelineOutput } from '../index.js';
import { fixture, prepareFixtures } from './support/fixtures.js';
import { decodeErrors, packets, streams, traceHeaders, transportErrors } from './support/ffprobe.js';
import { runPipeline, segments } from './support/run.js';
import { pidOf } from './support/ts-edit.js';

beforeAll(() =>
  prepareFixtures(
    't1_720p50_ac3_mp2',
    't2_1080i_eac3_ad_wrap',
    't3_576i_mpeg2',
    't4_720p_eac3',
    'hevc_720p50_eac3',
    'radio_mp2',
    'pmt_change_adds_audio',
  ),
);

/** Duration of one frame of each output audio codec: how close an audio part may start to its video part. */
const AUDIO_FRAME: Record<string, number> = { aac: 1024 / 48_000, ac3: 0.032, eac3: 0.032, mp2: 0.024 };
const WRAP = 2 ** 33 / 90_000;
const PAT_PID = 0;
const PMT_PID = 0x1000;

function pidsOf(ts: Buffer): number[] {
  const pids = new Set<number>();
  for (let offset = 0; offset + 188 <= ts.length; offset += 188)
    pids.add(pidOf(ts.subarray(offset, offset + 188)));
  return [...pids].sort((a, b) => a - b);
}

/** A part can hold a single audio frame, too little for FFmpeg to guess the format: name it. */
const TS = ['-f', 'mpegts'];

/** Presentation time of the first packet (in decode order) of a file's only stream, in seconds. */
function firstPts(file: string): number {
  return Number(packets(file, '0', TS)[0]!.pts_time);
}

/** Signed distance a − b on the 33-bit timeline (T2 wraps after about 5 s). */
function wrapped(a: number, b: number): number {
  const d = (((a - b) % WRAP) + WRAP) % WRAP;
  return d > WRAP / 2 ? d - WRAP : d;
}

const hex = (value: number) => value.toString(16).padStart(2, '0');

/** The codecs string the stream's parameter sets call for, read by FFmpeg's trace_headers. */
function expectedCodecs(file: string, codec: string): string {
  if (codec === 'h264') {
    const flags = ['constraint_set0_flag', 'constraint_set1_flag', 'constraint_set2_flag'].concat([
      'constraint_set3_flag',
      'constraint_set4_flag',
      'constraint_set5_flag',
      'reserved_zero_2bits',
    ]);
    const sps = traceHeaders(file, ['profile_idc', 'level_idc', ...flags]);
    const constraints = flags.slice(0, 6).reduce((byte, name, i) => byte | (sps.get(name)! << (7 - i)), 0);
    return `avc1.${hex(sps.get('profile_idc')!)}${hex(constraints | sps.get('reserved_zero_2bits')!)}${hex(sps.get('level_idc')!)}`;
  }
  if (codec === 'hevc') {
    const compatibility = Array.from({ length: 32 }, (_, i) => `general_profile_compatibility_flag[${i}]`);
    const flags = ['general_progressive_source_flag', 'general_interlaced_source_flag'].concat([
      'general_non_packed_constraint_flag',
      'general_frame_only_constraint_flag',
    ]);
    const ptl = traceHeaders(file, [
      'general_profile_space',
      'general_tier_flag',
      'general_profile_idc',
      'general_level_idc',
      'general_reserved_zero_7bits',
      ...compatibility,
      ...flags,
    ]);
    expect(ptl.get('general_reserved_zero_7bits')).toBe(0);
    const reversed = compatibility.reduce((value, name, i) => value + ptl.get(name)! * 2 ** i, 0);
    const first = flags.reduce((byte, name, i) => byte | (ptl.get(name)! << (7 - i)), 0);
    const space = ['', 'A', 'B', 'C'][ptl.get('general_profile_space')!]!;
    const tier = ptl.get('general_tier_flag') ? 'H' : 'L';
    const constraints = first === 0 ? '' : `.${hex(first).toUpperCase()}`;
    return `hvc1.${space}${ptl.get('general_profile_idc')}.${reversed.toString(16).toUpperCase()}.${tier}${ptl.get('general_level_idc')}${constraints}`;
  }
  expect(codec).toBe('mpeg2video');
  const indication = traceHeaders(file, ['profile_and_level_indication']).get(
    'profile_and_level_indication',
  )!;
  const objectType: Record<number, string> = { 5: '60', 4: '61', 3: '62', 2: '63', 1: '64' };
  return `mp4v.${objectType[(indication >> 4) & 7]}`;
}

/** profile_idc of the H.264 profiles ffprobe names. */
const H264_PROFILE_IDC: Record<string, number> = {
  Baseline: 66,
  'Constrained Baseline': 66,
  Main: 77,
  High: 100,
};

function checkVideoDescription(stream: OutputStreamInfo, file: string): void {
  const probed = streams(file)[0]!;
  expect(stream.codecs).toBe(expectedCodecs(file, stream.codec));
  if (stream.codec === 'h264') {
    const [, profile, level] = /^avc1\.([0-9a-f]{2})[0-9a-f]{2}([0-9a-f]{2})$/.exec(stream.codecs)!;
    expect([parseInt(profile!, 16), parseInt(level!, 16)]).toEqual([
      H264_PROFILE_IDC[probed.profile!],
      probed.level,
    ]);
  }
  expect([stream.width, stream.height]).toEqual([probed.width, probed.height]);
  expect(stream.interlaced).toBe(probed.field_order !== undefined && probed.field_order !== 'progressive');
  if (stream.codec === 'hevc') {
    expect(stream.frameRate).toBeUndefined(); // HEVC timing lives in the VUI, which the engine does not parse
  } else {
    const [num, den] = probed.r_frame_rate!.split('/').map(Number);
    expect(stream.frameRate).toBeCloseTo(num! / den!, 6);
  }
}

/** The codecs string of the audio a rendition test outputs: AAC-LC encoded here, AC-3/E-AC-3 copied. */
const AUDIO_CODECS: Record<string, string> = { aac: 'mp4a.40.2', ac3: 'ac-3', eac3: 'ec-3' };

interface Case {
  name: string;
  options: LivePipelineOptions;
  /** The `codec` of each output stream, in order. */
  codecs: string[];
}

const cases: Case[] = [
  { name: 't1_720p50_ac3_mp2', options: { keepOriginalAudio: true }, codecs: ['h264', 'aac', 'aac', 'ac3'] },
  { name: 't2_1080i_eac3_ad_wrap', options: {}, codecs: ['h264', 'aac', 'aac'] },
  { name: 't3_576i_mpeg2', options: {}, codecs: ['mpeg2video', 'aac'] },
  { name: 't4_720p_eac3', options: { keepOriginalAudio: true }, codecs: ['h264', 'aac', 'eac3'] },
  { name: 'hevc_720p50_eac3', options: {}, codecs: ['hevc', 'aac'] },
  { name: 'radio_mp2', options: {}, codecs: ['aac'] },
];

describe.each(cases)('HLS renditions of $name', ({ name, options, codecs }) => {
  it('cuts every segment into one transport stream per stream, on one timeline, each decoding cleanly', async () => {
    const hls: LivePipelineOptions = { output: 'hls', segmentDuration: 2, ...options };
    const { outputs, stats } = await runPipeline(fixture(name), { ...hls, hlsRenditions: true });
    expect(stats.warningsTotal).toBe(0);
    const first = outputs.find((o) => o.kind !== 'drain')!;
    expect(first.kind).toBe('streams');
    expect(outputs.filter((o) => o.kind === 'streams')).toHaveLength(1);
    const described = first.streams!;
    expect(described.map((s) => s.codec)).toEqual(codecs);
    expect(stats.streams).toEqual(described);

    // The same boundaries as the muxed segments.
    const list = segments(outputs);
    const muxed = segments((await runPipeline(fixture(name), hls)).outputs);
    const shape = (s: PipelineOutput) => [s.sequence, s.pts, s.duration, s.keyframe, s.discontinuity];
    expect(list.map(shape)).toEqual(muxed.map(shape));
    expect(list.length).toBeGreaterThanOrEqual(3);

    const dir = mkdtempSync(join(tmpdir(), 'e2gate-renditions-'));
    const file = (segment: number, stream: number) => join(dir, `s${segment}_r${stream}.ts`);
    for (const segment of list) {
      expect(segment.data).toBeUndefined();
      expect(segment.parts).toHaveLength(described.length);
      segment.parts!.forEach((part, index) => writeFileSync(file(segment.sequence!, index), part));
    }

    described.forEach((stream, index) => {
      for (const segment of list) {
        const part = file(segment.sequence!, index);
        expect(pidsOf(segment.parts![index]!)).toEqual([PAT_PID, stream.pid, PMT_PID]);
        const probed = streams(part, TS);
        expect(probed.map((s) => [s.codec_name, s.tags?.language])).toEqual([
          [stream.codec, stream.language],
        ]);
        if (stream.channels !== undefined) expect(probed[0]!.channels).toBe(stream.channels);
      }
      const joined = join(dir, `r${index}.ts`);
      writeFileSync(joined, Buffer.concat(list.map((s) => s.parts![index]!)));
      expect(decodeErrors(joined)).toEqual([]);
      expect(transportErrors(joined)).toEqual([]);
      if (stream.width !== undefined) checkVideoDescription(stream, joined);
      else expect(stream.codecs).toBe(AUDIO_CODECS[stream.codec]);
    });

    // Every part of a segment starts with the part of the stream that drives the cuts (video, else the first
    // audio track), within one frame of the later stream.
    for (const segment of list) {
      const lead = firstPts(file(segment.sequence!, 0));
      expect(Math.abs(wrapped(lead, segment.pts! / 90_000))).toBeLessThan(0.001);
      described.slice(1).forEach((stream, offset) => {
        const start = firstPts(file(segment.sequence!, offset + 1));
        expect(Math.abs(wrapped(start, lead))).toBeLessThanOrEqual(AUDIO_FRAME[stream.codec]! + 0.0005);
      });
    }
  });
});

describe("'streams' output", () => {
  it('comes once before the first TS output, the video described from its parameter sets', async () => {
    const { outputs, stats } = await runPipeline(fixture('t1_720p50_ac3_mp2'));
    const kinds = outputs.map((o) => o.kind).filter((k) => k !== 'drain');
    expect(kinds[0]).toBe('streams');
    expect(kinds.filter((k) => k === 'streams')).toHaveLength(1);
    const described = outputs.find((o) => o.kind === 'streams')!.streams!;
    expect(described.map((s) => [s.codec, s.codecs, s.channels, s.language])).toEqual([
      ['h264', 'avc1.640028', undefined, undefined],
      ['aac', 'mp4a.40.2', 2, 'deu'],
      ['aac', 'mp4a.40.2', 2, 'mis'],
    ]);
    expect(described[0]).toMatchObject({ width: 1280, height: 720, frameRate: 50, interlaced: false });
    expect(stats.streams).toEqual(described);
  });

  it('describes copied audio from its frame headers', async () => {
    // HLS: the first segment (and its announcement) comes after the first frame of every track.
    const { outputs, stats } = await runPipeline(fixture('t1_720p50_ac3_mp2'), {
      output: 'hls',
      audio: 'copy',
    });
    const described = outputs.find((o) => o.kind === 'streams')!.streams!;
    expect(described.map((s) => [s.codec, s.codecs, s.channels, s.language])).toEqual([
      ['h264', 'avc1.640028', undefined, undefined],
      ['ac3', 'ac-3', 6, 'deu'],
      ['mp2', 'mp4a.6B', 2, 'mis'],
    ]);
    expect(stats.streams).toEqual(described);
  });

  it('reports the frame rate a player shows for 1080i25, whose VUI states the field rate', async () => {
    const { outputs } = await runPipeline(fixture('t2_1080i_eac3_ad_wrap'));
    const video = outputs.find((o) => o.kind === 'streams')!.streams![0]!;
    expect(video).toMatchObject({
      codecs: 'avc1.640028',
      width: 1920,
      height: 1080,
      frameRate: 25,
      interlaced: true,
    });
  });

  it('comes again before the first output after a PMT change, and each TS piece matches its list', async () => {
    const { outputs } = await runPipeline(fixture('pmt_change_adds_audio'), {}, 16 * 1024);
    const relevant = outputs.filter((o) => o.kind === 'streams' || o.kind === 'ts');
    expect(relevant[0]!.kind).toBe('streams');
    const announcements = relevant.flatMap((o, i) => (o.kind === 'streams' ? [i] : []));
    expect(announcements).toHaveLength(2);
    expect(relevant[announcements[1]! - 1]!.kind).toBe('ts');
    const lists = announcements.map((i) => relevant[i]!.streams!.map((s) => s.codec));
    expect(lists).toEqual([
      ['h264', 'aac'],
      ['h264', 'aac', 'aac'],
    ]);
    announcements.forEach((start, n) => {
      const end = announcements[n + 1] ?? relevant.length;
      const piece = Buffer.concat(relevant.slice(start + 1, end).map((o) => o.data!));
      const dir = mkdtempSync(join(tmpdir(), 'e2gate-streams-'));
      const path = join(dir, `piece${n}.ts`);
      writeFileSync(path, piece);
      expect(streams(path).map((s) => s.codec_name)).toEqual(lists[n]);
    });
  });
});

describe('fast start', () => {
  it('cuts the first segment at the first keyframe a quarter target in; later segments keep the target', async () => {
    const hls: LivePipelineOptions = { output: 'hls', segmentDuration: 2, hlsRenditions: true };
    const plain = segments((await runPipeline(fixture('t1_720p50_ac3_mp2'), hls)).outputs);
    const fast = segments(
      (await runPipeline(fixture('t1_720p50_ac3_mp2'), { ...hls, fastStart: true })).outputs,
    );
    const seconds = (s: PipelineOutput) => s.duration!;
    expect(fast[0]!.pts).toBe(plain[0]!.pts);
    expect(seconds(fast[0]!)).toBeGreaterThanOrEqual(0.5);
    expect(seconds(fast[0]!)).toBeLessThan(seconds(plain[0]!));
    expect(fast.every((s) => s.keyframe)).toBe(true);
    const middle = fast.slice(1, -1).map(seconds);
    expect(middle.reduce((a, b) => a + b, 0) / middle.length).toBeCloseTo(2, 0);
  });
});

describe('starting mid-stream at a non-IDR I picture (open GOP)', () => {
  it('gives a strict decoder a first GOP it accepts: no reference marking of pictures it never had', async () => {
    // The 720p50 fixture is x264 with open GOPs: after some of its I pictures the next P picture unmarks
    // reference pictures from before them, which Chromium refuses (FFmpeg with -err_detect explode as well).
    const source = fixture('t1_720p50_ac3_mp2');
    const packetsIn = Math.floor(source.length / 188);
    const dir = mkdtempSync(join(tmpdir(), 'e2gate-open-gop-'));
    const failures: string[] = [];
    for (let start = 1; start <= 8; start++) {
      const offset = Math.floor((packetsIn * start) / 10) * 188;
      const { outputs } = await runPipeline(source.subarray(offset), {
        output: 'hls',
        segmentDuration: 2,
        hlsRenditions: true,
        fastStart: true,
      });
      const video = Buffer.concat(
        segments(outputs)
          .slice(0, 2)
          .map((s) => s.parts![0]!),
      );
      const file = join(dir, `start${start}.ts`);
      writeFileSync(file, video);
      const errors = decodeErrors(file, ['-err_detect', 'explode']);
      if (errors.length > 0) failures.push(`start at packet ${offset / 188}: ${errors[0]}`);
    }
    expect(failures).toEqual([]);
  });
});
