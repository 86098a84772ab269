import { describe, expect, it } from 'vitest';
import type { HlsRendition } from '@e2gate/contracts';
import { HlsIndexBuilder } from './hls-index.js';

const video: HlsRendition = { id: 'v', type: 'video', codecs: 'avc1.640020' };
const german: HlsRendition = { id: 'a0', type: 'audio', codecs: 'mp4a.40.2', language: 'deu' };
const english: HlsRendition = { id: 'a1', type: 'audio', codecs: 'mp4a.40.2', language: 'eng' };

function segment(sequence: number, duration: number, discontinuity = false, ids = ['v', 'a0']) {
  return { sequence, duration, discontinuity, bytes: new Map(ids.map((id) => [id, 1000])) };
}

describe('HlsIndexBuilder', () => {
  it('fixes the target duration at the first segment (target plus its GOP) and never raises it', () => {
    const builder = new HlsIndexBuilder('s', 'c', { windowMs: 60_000, segmentSeconds: 2, fastStart: false });
    builder.useRenditions([video, german]);
    builder.add(segment(0, 2.56), 10_000);
    builder.add(segment(1, 4.2), 14_200);
    expect(builder.snapshot().targetDuration).toBe(3);
  });

  it('with fast start, takes the GOP from the one-GOP first segment', () => {
    const short = new HlsIndexBuilder('s', 'c', { windowMs: 60_000, segmentSeconds: 2, fastStart: true });
    short.useRenditions([video, german]);
    short.add(segment(0, 0.64), 10_000);
    expect(short.snapshot().targetDuration).toBe(3);
    const long = new HlsIndexBuilder('s', 'c', { windowMs: 60_000, segmentSeconds: 2, fastStart: true });
    long.useRenditions([video, german]);
    long.add(segment(0, 1.28), 10_000);
    expect(long.snapshot().targetDuration).toBe(4);
  });

  it('dates segments from the receive clock at the start and after a break, by media time in between', () => {
    const builder = new HlsIndexBuilder('s', 'c', { windowMs: 60_000, segmentSeconds: 2, fastStart: false });
    builder.useRenditions([video, german]);
    builder.add(segment(0, 2), 10_000);
    builder.add(segment(1, 2), 12_300);
    builder.add(segment(2, 2, true), 30_000);
    expect(builder.snapshot().segments.map((s) => [s.pdt, s.disc ?? false])).toEqual([
      [8_000, false],
      [10_000, false],
      [28_000, true],
    ]);
  });

  it('keeps the timeshift window and counts the discontinuities that left it', () => {
    const builder = new HlsIndexBuilder('s', 'c', { windowMs: 5_000, segmentSeconds: 2, fastStart: false });
    builder.useRenditions([video, german]);
    builder.add(segment(0, 2), 2_000);
    builder.add(segment(1, 2, true), 10_000);
    for (let n = 2; n < 6; n++) builder.add(segment(n, 2), 10_000 + (n - 1) * 2_000);
    const index = builder.snapshot();
    expect(index.segments.map((s) => s.seq)).toEqual([3, 4, 5]);
    expect(index.discontinuitySequence).toBe(1);
  });

  it('keeps rendition ids stable across a stream change: new ones append, bytes line up with them', () => {
    const builder = new HlsIndexBuilder('s', 'c', { windowMs: 60_000, segmentSeconds: 2, fastStart: false });
    expect(builder.useRenditions([video, german])).toEqual(['v', 'a0']);
    builder.add(segment(0, 2), 2_000);
    expect(builder.useRenditions([video, german, english])).toEqual(['v', 'a0', 'a1']);
    builder.add(segment(1, 2, true, ['v', 'a0', 'a1']), 4_000);
    const index = builder.snapshot();
    expect(index.renditions.map((r) => r.id)).toEqual(['v', 'a0', 'a1']);
    expect(index.segments.map((s) => s.bytes)).toEqual([
      [1000, 1000, 0],
      [1000, 1000, 1000],
    ]);
  });
});
