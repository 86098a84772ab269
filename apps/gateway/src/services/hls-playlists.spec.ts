import { describe, expect, it } from 'vitest';
import type { HlsIndex } from '@e2gate/contracts';
import { languageTag, renderMediaPlaylist, renderMultivariant } from './hls-playlists.js';

function index(overrides: Partial<HlsIndex> = {}): HlsIndex {
  return {
    sessionId: 'ch-hls-1',
    channelId: 'ch',
    targetDuration: 3,
    renditions: [
      { id: 'v', type: 'video', codecs: 'avc1.640020', width: 1280, height: 720, frameRate: 50 },
      { id: 'a0', type: 'audio', codecs: 'mp4a.40.2', language: 'deu', channels: 2, audioType: 0 },
      { id: 'a1', type: 'audio', codecs: 'mp4a.40.2', language: 'eng', channels: 2, audioType: 0 },
      { id: 'a2', type: 'audio', codecs: 'mp4a.40.2', language: 'deu', channels: 2, audioType: 3 },
      { id: 'a3', type: 'audio', codecs: 'ac-3', language: 'deu', channels: 6, audioType: 0, original: true },
    ],
    segments: [
      {
        seq: 7,
        dur: 2.56,
        pdt: Date.UTC(2026, 11, 5, 8, 0, 0),
        bytes: [640_000, 48_000, 48_000, 48_000, 96_000],
      },
      {
        seq: 8,
        dur: 2.0,
        pdt: Date.UTC(2026, 11, 5, 8, 0, 2, 560),
        bytes: [500_000, 48_000, 48_000, 48_000, 96_000],
      },
      {
        seq: 9,
        dur: 1.92,
        pdt: Date.UTC(2026, 11, 5, 8, 0, 10),
        disc: true,
        bytes: [480_000, 46_000, 46_000, 46_000, 92_000],
      },
    ],
    discontinuitySequence: 2,
    ...overrides,
  };
}

describe('renderMultivariant', () => {
  const text = renderMultivariant(index(), 's/ch-hls-1/abc/1/sig/');
  const lines = text.trim().split('\n');

  it('lists every language as an audio rendition, AAC first, AD flagged, AC-3 in its own group', () => {
    const media = lines.filter((line) => line.startsWith('#EXT-X-MEDIA:'));
    expect(media).toEqual([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="de",NAME="Deutsch",CHANNELS="2",DEFAULT=YES,AUTOSELECT=YES,URI="s/ch-hls-1/abc/1/sig/a0.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="English",CHANNELS="2",DEFAULT=NO,AUTOSELECT=YES,URI="s/ch-hls-1/abc/1/sig/a1.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="de",NAME="Deutsch (audio description)",CHANNELS="2",DEFAULT=NO,AUTOSELECT=YES,CHARACTERISTICS="public.accessibility.describes-video",URI="s/ch-hls-1/abc/1/sig/a2.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ac3",LANGUAGE="de",NAME="Deutsch (AC-3)",CHANNELS="6",DEFAULT=YES,AUTOSELECT=YES,URI="s/ch-hls-1/abc/1/sig/a3.m3u8"',
    ]);
  });

  it('has one variant per audio group with measured bandwidth, CODECS, RESOLUTION and FRAME-RATE', () => {
    const variants = lines.filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
    // peak: segment 8, (500000 + 48000) × 8 / 2 s; average: (688000 + 548000 + 526000) × 8 / 6.48 s
    expect(variants[0]).toBe(
      '#EXT-X-STREAM-INF:BANDWIDTH=2192000,AVERAGE-BANDWIDTH=2175309,CODECS="avc1.640020,mp4a.40.2",' +
        'RESOLUTION=1280x720,FRAME-RATE=50.000,AUDIO="aac"',
    );
    expect(variants[1]).toContain('CODECS="avc1.640020,ac-3"');
    expect(variants[1]).toContain('AUDIO="ac3"');
    expect(lines.filter((line) => line === 's/ch-hls-1/abc/1/sig/v.m3u8')).toHaveLength(2);
    expect(lines.slice(0, 3)).toEqual(['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS']);
  });

  it('offers every rendition of an ABR ladder as its own variant with each audio group', () => {
    const ladder = index({
      renditions: [
        { id: 'v', type: 'video', codecs: 'avc1.640020', width: 1280, height: 720, frameRate: 50 },
        { id: 'v1', type: 'video', codecs: 'avc1.64001f', width: 854, height: 480, frameRate: 50 },
        { id: 'a0', type: 'audio', codecs: 'mp4a.40.2', language: 'deu', channels: 2, audioType: 0 },
      ],
    });
    ladder.segments = ladder.segments.map((s) => ({ ...s, bytes: [640_000, 300_000, 48_000] }));
    const variants = renderMultivariant(ladder, 'b/')
      .trim()
      .split('\n')
      .filter(
        (line, n, all) =>
          line.startsWith('#EXT-X-STREAM-INF:') || all[n - 1]?.startsWith('#EXT-X-STREAM-INF:'),
      );
    expect(variants.filter((line) => !line.startsWith('#'))).toEqual(['b/v.m3u8', 'b/v1.m3u8']);
    expect(variants[0]).toContain('RESOLUTION=1280x720');
    expect(variants[2]).toContain('RESOLUTION=854x480');
    expect(variants[2]).toContain('CODECS="avc1.64001f,mp4a.40.2"');
    const bandwidth = (line: string) => Number(/BANDWIDTH=(\d+)/.exec(line)![1]);
    expect(bandwidth(variants[2]!)).toBeLessThan(bandwidth(variants[0]!));
  });

  it('offers radio as an audio-only variant of its default language, the others as alternates', () => {
    const radio = index({
      renditions: index()
        .renditions.filter((r) => r.type === 'audio' && !r.original)
        .slice(0, 2),
    });
    radio.segments = radio.segments.map((s) => ({ ...s, bytes: [48_000, 40_000] }));
    const out = renderMultivariant(radio, 'b/').trim().split('\n');
    expect(
      out.filter((line) => line.startsWith('#EXT-X-MEDIA:')).map((line) => /URI="([^"]+)"/.exec(line)![1]),
    ).toEqual(['b/a0.m3u8', 'b/a1.m3u8']);
    expect(out.filter((line) => line.startsWith('#EXT-X-STREAM-INF:'))).toHaveLength(1);
    expect(out.at(-2)).toMatch(
      /^#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,CODECS="mp4a.40.2",AUDIO="aac"$/,
    );
    expect(out.at(-1)).toBe('b/a0.m3u8');
  });
});

describe('renderMediaPlaylist', () => {
  it('keeps the target, numbers segments, dates the first and every one after a break', () => {
    expect(renderMediaPlaylist(index(), 'a1')).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:6',
        '#EXT-X-TARGETDURATION:3',
        '#EXT-X-MEDIA-SEQUENCE:7',
        '#EXT-X-DISCONTINUITY-SEQUENCE:2',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-05T08:00:00.000Z',
        '#EXTINF:2.560,',
        'a1/7.ts',
        '#EXTINF:2.000,',
        'a1/8.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-05T08:00:10.000Z',
        '#EXTINF:1.920,',
        'a1/9.ts',
        '',
      ].join('\n'),
    );
  });

  it('starts a rendition that appeared later at its first part; an unknown rendition is null', () => {
    const later = index();
    later.segments[0]!.bytes[2] = 0;
    expect(renderMediaPlaylist(later, 'a1')).toContain('#EXT-X-MEDIA-SEQUENCE:8');
    expect(renderMediaPlaylist(index(), 'a9')).toBeNull();
  });
});

describe('languageTag', () => {
  it('maps broadcast ISO 639-2 codes to the tags players expect', () => {
    expect(languageTag('deu')).toBe('de');
    expect(languageTag('ger')).toBe('de');
    expect(languageTag('gsw')).toBe('gsw');
    expect(languageTag('und')).toBeUndefined();
    expect(languageTag('d"e')).toBeUndefined();
  });
});
