// Video transcoding against ffprobe/ffmpeg as the oracle: MPEG-2 576i, H.264 1080i25 and 10-bit HEVC become
// progressive H.264 at field rate where the source is interlaced, every HLS segment starts with an IDR picture and
// lasts the target, the output decodes without an error, and the A/V offset stays within one audio frame.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { LivePipeline, type LivePipelineOptions, MediaPlaylist, probeEncoders } from '../index.js';
import { fixture, fixturePath, prepareFixtures } from './support/fixtures.js';
import { decodeErrors, formatDuration, packets, span, streams, tempFile } from './support/ffprobe.js';
import { runPipeline, segments, tsBytes } from './support/run.js';

beforeAll(() =>
  prepareFixtures('t2_1080i_eac3_ad_wrap', 't3_576i_mpeg2', 't4_720p_eac3', 'hevc_720p50_eac3'),
);

const AAC_FRAME = 1024 / 48_000;
/**
 * A cheap x264 preset that still writes High profile (ultrafast drops to Constrained Baseline): these tests check
 * timing, structure and decoding, not picture quality, and share two cores with the rest of the suite.
 */
const FAST = 'superfast';
const INPUT_AUDIO_FRAME: Record<string, number> = { ac3: 0.032, eac3: 0.032, mp2: 0.024 };

/** NAL unit types of the H.264 elementary stream in `file`, in order (Annex B start codes). */
function nalTypes(file: string): number[] {
  const es = execFileSync(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'h264', '-'],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const types: number[] = [];
  for (let i = 0; i + 3 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1) types.push(es[i + 3]! & 0x1f);
  }
  return types;
}

/** The first picture's NAL type: 5 for an IDR, 1 for any other picture. */
function firstPicture(file: string): number | undefined {
  return nalTypes(file).find((type) => type === 1 || type === 5);
}

const CASES = [
  {
    name: 't3_576i_mpeg2',
    video: { mode: 'transcode', height: 480, preset: FAST },
    size: [854, 480],
    rate: '50/1',
  },
  {
    name: 't2_1080i_eac3_ad_wrap',
    video: { mode: 'transcode', height: 720, preset: FAST },
    size: [1280, 720],
    rate: '50/1',
  },
  { name: 'hevc_720p50_eac3', video: { mode: 'transcode', preset: FAST }, size: [1280, 720], rate: '50/1' },
] as const;

describe.each(CASES)('$name transcoded to H.264', ({ name, video, size, rate }) => {
  const options = { video } as LivePipelineOptions;

  it('is progressive H.264 at field rate, decodes cleanly, keeps spans and the A/V offset', async () => {
    const input = fixturePath(name);
    const { outputs, stats } = await runPipeline(fixture(name), options);
    const output = tempFile('video.ts', tsBytes(outputs));
    expect(decodeErrors(output)).toEqual([]);
    expect(stats.warningsTotal).toBe(0);
    const [outVideo] = streams(output).filter((s) => s.codec_type === 'video');
    expect(outVideo).toMatchObject({
      codec_name: 'h264',
      width: size[0],
      height: size[1],
      r_frame_rate: rate,
    });
    expect(outVideo!.field_order ?? 'progressive').toBe('progressive');
    expect(stats.streams[0]).toMatchObject({
      codec: 'h264',
      width: size[0],
      height: size[1],
      interlaced: false,
    });
    expect(stats.streams[0]!.codecs).toMatch(/^avc1\.64/);

    const inVideo = span(packets(input, 'v:0'));
    const outSpan = span(packets(output, 'v:0'));
    expect(Math.abs(outSpan.start - inVideo.start)).toBeLessThan(0.001);
    expect(Math.abs(outSpan.end - inVideo.end)).toBeLessThan(0.041);
    streams(input)
      .filter((s) => s.codec_type === 'audio')
      .forEach((audio, index) => {
        const frame = INPUT_AUDIO_FRAME[audio.codec_name]!;
        const source = span(packets(input, `a:${index}`));
        const result = span(packets(output, `a:${index}`));
        const offsetIn = source.start - inVideo.start;
        const offsetOut = result.start + AAC_FRAME - outSpan.start;
        expect(Math.abs(offsetOut - offsetIn)).toBeLessThanOrEqual(frame);
      });
  });

  it('starts every 2 s HLS segment with an IDR picture and keeps the target', async () => {
    const { outputs } = await runPipeline(fixture(name), { ...options, output: 'hls', segmentDuration: 2 });
    const list = segments(outputs);
    const dir = mkdtempSync(join(tmpdir(), 'e2gate-video-'));
    const playlist = new MediaPlaylist({ kind: 'vod', targetDuration: 2 });
    for (const segment of list) {
      const file = `seg${segment.sequence}.ts`;
      writeFileSync(join(dir, file), segment.data!);
      playlist.push({ uri: file, duration: segment.duration!, independent: segment.keyframe! });
      expect(firstPicture(join(dir, file))).toBe(5);
    }
    playlist.end();
    writeFileSync(join(dir, 'index.m3u8'), playlist.render());
    expect(list.length).toBeGreaterThan(1);
    for (const segment of list.slice(0, -1)) expect(segment.duration).toBeCloseTo(2, 2);
    expect(decodeErrors(join(dir, 'index.m3u8'))).toEqual([]);
    expect(
      Math.abs(formatDuration(join(dir, 'index.m3u8')) - formatDuration(fixturePath(name))),
    ).toBeLessThan(0.1);
  });
});

describe('an ABR ladder from one decode', () => {
  it('gives every rendition its size, an IDR at the same picture in every segment, and clean decoding', async () => {
    const { outputs, stats } = await runPipeline(fixture('t2_1080i_eac3_ad_wrap'), {
      output: 'hls',
      hlsRenditions: true,
      segmentDuration: 2,
      video: {
        mode: 'transcode',
        height: 720,
        preset: FAST,
        ladder: [{ height: 480 }, { height: 360, bitrate: 700_000 }],
      },
    });
    expect(stats.streams.slice(0, 3).map((s) => [s.codec, s.width, s.height, s.frameRate])).toEqual([
      ['h264', 1280, 720, 50],
      ['h264', 854, 480, 50],
      ['h264', 640, 360, 50],
    ]);
    const list = segments(outputs);
    expect(list.length).toBeGreaterThan(5);
    for (const segment of list) {
      const starts = [0, 1, 2].map((n) => {
        const file = tempFile(`rung${n}.ts`, segment.parts![n]!);
        expect(firstPicture(file)).toBe(5);
        return packets(file, 'v:0')[0]!.pts_time;
      });
      expect(new Set(starts).size).toBe(1);
    }
    const rung = tempFile('rung2-all.ts', Buffer.concat(list.map((s) => s.parts![2]!)));
    expect(decodeErrors(rung)).toEqual([]);
    const seconds = formatDuration(rung);
    const bits = list.reduce((sum, s) => sum + s.parts![2]!.length * 8, 0);
    expect(bits / seconds).toBeLessThan(700_000 * 1.5 * 1.2); // capped near its maxrate, TS overhead included
  });
});

describe("video mode 'auto'", () => {
  it('copies progressive H.264 unchanged', async () => {
    const name = 't4_720p_eac3';
    const { outputs } = await runPipeline(fixture(name), { video: { mode: 'auto' } });
    const output = tempFile('auto-copy.ts', tsBytes(outputs));
    const sizes = (file: string) => packets(file, 'v:0').map((p) => Number(p.size));
    expect(sizes(output).every((size) => size > 0)).toBe(true);
    expect(sizes(output)).toEqual(sizes(fixturePath(name)));
  });

  it('transcodes interlaced H.264 to field rate', async () => {
    const { outputs } = await runPipeline(fixture('t2_1080i_eac3_ad_wrap'), {
      video: { mode: 'auto', height: 540, preset: FAST },
    });
    const output = tempFile('auto-transcode.ts', tsBytes(outputs));
    const [video] = streams(output).filter((s) => s.codec_type === 'video');
    expect(video).toMatchObject({ codec_name: 'h264', width: 960, height: 540, r_frame_rate: '50/1' });
  });
});

describe('video options', () => {
  function codeOf(options: LivePipelineOptions): [string | undefined, string | undefined] {
    try {
      void new LivePipeline(options, () => {}).close();
      return [undefined, undefined];
    } catch (error) {
      return [(error as { code?: string }).code, (error as Error).message];
    }
  }

  it.each([
    [{ mode: 'vaapi' }, 'video.mode'],
    [{ mode: 'transcode', height: 100 }, 'video.height'],
    [{ mode: 'transcode', bitrate: 10 }, 'video.bitrate'],
    [{ mode: 'transcode', bitrate: 2_000_000, maxBitrate: 1_000_000 }, 'video.maxBitrate'],
    [{ mode: 'transcode', deinterlace: 'maybe' }, 'video.deinterlace'],
    [{ mode: 'transcode', preset: 'placebo' }, 'video.preset'],
    [{ mode: 'transcode', encoder: 'quicksync' }, 'video.encoder'],
    [{ mode: 'transcode', device: '' }, 'video.device'],
    [{ mode: 'transcode', ladder: [{ height: 360 }] }, 'video.ladder'],
    [{ mode: 'transcode', ladder: [{ height: 100 }] }, 'video.ladder'],
  ])('refuses %o naming %s', (video, field) => {
    const [code, message] = codeOf({ video } as LivePipelineOptions);
    expect(code).toBe('ERR_NATIVE_INVALID_OPTIONS');
    expect(message).toContain(field);
  });
});

describe('encoder backends', () => {
  it('probes every backend: software works here, VAAPI and NVENC say why they do not', async () => {
    const probes = await probeEncoders('/dev/dri/renderD-none');
    expect(probes.map((p) => p.encoder)).toEqual(['vaapi', 'nvenc', 'software']);
    expect(probes[2]).toEqual({ encoder: 'software', available: true });
    expect(probes[0]!.available).toBe(false);
    expect(probes[0]!.reason).toMatch(/^no VAAPI device at \/dev\/dri\/renderD-none/);
    // This machine has no NVIDIA GPU: CUDA cannot open (on one with a GPU but no NVENC, the encoder says so).
    expect(probes[1]!.available).toBe(false);
    expect(probes[1]!.reason).toBeTruthy();
  });

  it.each(['vaapi', 'nvenc'] as const)(
    'refuses a pipeline that asks for %s where it does not work, with the reason',
    (encoder) => {
      let caught: { code?: string; message?: string } | undefined;
      try {
        void new LivePipeline(
          { video: { mode: 'transcode', encoder, device: '/dev/dri/renderD-none' } },
          () => {},
        ).close();
      } catch (error) {
        caught = error as { code?: string; message?: string };
      }
      expect(caught?.code).toBe('ERR_NATIVE_ENCODER_UNAVAILABLE');
      expect(caught?.message).toContain(`video.encoder: ${encoder} does not work here: no `);
    },
  );

  it('transcodes in software under auto where no GPU works, and says so in its stats', async () => {
    const { stats } = await runPipeline(fixture('t3_576i_mpeg2'), {
      video: { mode: 'transcode', encoder: 'auto', height: 288, preset: FAST },
    });
    expect(stats.videoEncoder).toBe('software');
    expect(stats.streams[0]).toMatchObject({ codec: 'h264', height: 288 });
  });
});
