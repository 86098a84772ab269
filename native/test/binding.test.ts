// The binding's surface: version, probe against ffprobe, stable error codes, the playlist model.
import { beforeAll, describe, expect, it } from 'vitest';

import { LivePipeline, MediaPlaylist, probe, probeSync, version } from '../index.js';
import { fixture, fixturePath, prepareFixtures } from './support/fixtures.js';
import { streams as ffprobeStreams } from './support/ffprobe.js';

beforeAll(() =>
  prepareFixtures('t1_720p50_ac3_mp2', 't2_1080i_eac3_ad_wrap', 't3_576i_mpeg2', 'hevc_720p50_eac3'),
);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('version', () => {
  it('names the engine and the FFmpeg libraries it links', () => {
    const info = version();
    expect(info.engine).toMatch(/^\d+\.\d+\.\d+$/);
    for (const library of [info.avcodec, info.avutil, info.swresample])
      expect(library).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('probe', () => {
  it.each(['t1_720p50_ac3_mp2', 't2_1080i_eac3_ad_wrap', 't3_576i_mpeg2', 'hevc_720p50_eac3'])(
    'agrees with ffprobe on %s',
    async (name) => {
      const data = fixture(name).subarray(0, 8 << 20);
      const result = await probe(data);
      expect(probeSync(data)).toEqual(result);
      const oracle = ffprobeStreams(fixturePath(name));
      const probed = result.programs
        .flatMap((p) => p.streams)
        .filter((s) => s.kind === 'video' || s.kind === 'audio');
      expect(probed.map((s) => s.codec)).toEqual(oracle.map((s) => s.codec_name));
      probed.forEach((stream, index) => {
        const expected = oracle[index]!;
        expect(stream.language).toBe(expected.tags?.language);
        if (stream.kind === 'audio') {
          expect(stream.channels).toBe(expected.channels);
          expect(stream.sampleRate).toBe(Number(expected.sample_rate));
        } else {
          expect([stream.width, stream.height]).toEqual([expected.width, expected.height]);
          expect(stream.interlaced).toBe(
            expected.field_order !== undefined && expected.field_order !== 'progressive',
          );
        }
      });
    },
  );

  it('reports the audio-description type and the service id', () => {
    const result = probeSync(fixture('t2_1080i_eac3_ad_wrap').subarray(0, 4 << 20));
    expect(result.programs.map((p) => p.serviceId)).toEqual([10301]);
    const eac3 = result.programs[0]!.streams.find((s) => s.codec === 'eac3')!;
    expect([eac3.language, eac3.audioType]).toEqual(['eng', 3]);
  });

  it('finds no program in a buffer without a PAT', () => {
    expect(probeSync(Buffer.alloc(188 * 100, 0x47)).programs).toEqual([]);
  });

  it('refuses more than 64 MiB with ERR_NATIVE_LIMIT_EXCEEDED', () => {
    expect(codeOf(() => probeSync(Buffer.alloc(64 * 1024 * 1024 + 1)))).toBe('ERR_NATIVE_LIMIT_EXCEEDED');
  });
});

describe('errors carry stable codes', () => {
  const ignore = () => undefined;

  it.each([
    [{ output: 'mp4' as 'ts' }, 'output'],
    [{ segmentDuration: 120 }, 'segmentDuration'],
    [{ serviceId: 70_000 }, 'serviceId'],
    [{ audioBitrate: 8 }, 'audioBitrate'],
    [{ languages: ['english'] }, 'languages'],
    [{ maxPendingOutputs: 0 }, 'maxPendingOutputs'],
  ])('rejects %o naming the option', (options, field) => {
    let caught: { code?: string; message?: string } | undefined;
    try {
      new LivePipeline(options, ignore);
    } catch (error) {
      caught = error as { code?: string; message?: string };
    }
    expect(caught?.code).toBe('ERR_NATIVE_INVALID_OPTIONS');
    expect(caught?.message).toContain(field);
  });

  it('refuses input after close and close after destroy', async () => {
    const pipeline = new LivePipeline({}, ignore);
    const stats = await pipeline.close();
    expect(stats.state).toBe('closed');
    expect(codeOf(() => pipeline.push(Buffer.alloc(188)))).toBe('ERR_NATIVE_CLOSED');
    await expect(pipeline.close()).resolves.toEqual(stats);

    const destroyed = new LivePipeline({}, ignore);
    destroyed.destroy();
    destroyed.destroy();
    expect(codeOf(() => destroyed.push(Buffer.alloc(188)))).toBe('ERR_NATIVE_CLOSED');
    expect(codeOf(() => destroyed.close())).toBe('ERR_NATIVE_CLOSED');
  });

  it('refuses a chunk over 64 MiB with ERR_NATIVE_LIMIT_EXCEEDED and stays usable', async () => {
    const pipeline = new LivePipeline({}, ignore);
    expect(codeOf(() => pipeline.push(Buffer.alloc(64 * 1024 * 1024 + 1)))).toBe('ERR_NATIVE_LIMIT_EXCEEDED');
    expect(pipeline.push(Buffer.alloc(188))).toBe(true);
    await expect(pipeline.close()).resolves.toMatchObject({ state: 'closed' });
  });

  it('rejects a bad playlist kind', () => {
    expect(codeOf(() => new MediaPlaylist({ kind: 'master' as 'live' }))).toBe('ERR_NATIVE_INVALID_OPTIONS');
  });
});

describe('MediaPlaylist', () => {
  it('renders a sliding live window with program date-time', () => {
    const playlist = new MediaPlaylist({ kind: 'live', window: 3, targetDuration: 2 });
    const start = Date.UTC(2026, 10, 21, 12, 0, 0);
    for (let i = 0; i < 5; i++) {
      playlist.push({
        uri: `${i}.ts`,
        duration: 2,
        discontinuity: i === 3,
        programDateTime: i === 0 ? start : undefined,
      });
    }
    const text = playlist.render();
    expect(playlist.mediaSequence).toBe(2);
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:2\n');
    expect(text).toContain('#EXT-X-PROGRAM-DATE-TIME:2026-11-21T12:00:04.000Z\n#EXTINF:2.000,\n2.ts');
    expect(text).toContain(
      '#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-11-21T12:00:06.000Z\n#EXTINF:2.000,\n3.ts',
    );
    expect(text).not.toContain('ENDLIST');
  });
});
