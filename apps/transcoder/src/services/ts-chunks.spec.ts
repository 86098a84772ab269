import { describe, expect, it } from 'vitest';
import { chunksForViewers, MAX_CHUNK_BYTES } from './ts-chunks.js';

function packet(pid: number, kind: 'pat' | 'pmt' | 'key' | 'frame' | 'more'): Buffer {
  const bytes = Buffer.alloc(188, 0xff);
  bytes[0] = 0x47;
  const start = kind !== 'more';
  bytes[1] = (start ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  bytes[2] = pid & 0xff;
  if (kind === 'key' || kind === 'frame') {
    bytes[3] = 0x30;
    bytes[4] = 1;
    bytes[5] = kind === 'key' ? 0x40 : 0;
    bytes.set([0, 0, 1, 0xe0], 6);
  } else {
    bytes[3] = 0x10;
    if (start) bytes.set([0, kind === 'pat' ? 0 : 2], 4);
  }
  return bytes;
}

const gop = (frames: number) =>
  Buffer.concat([
    packet(0, 'pat'),
    packet(0x1000, 'pmt'),
    packet(0x100, 'key'),
    ...Array.from({ length: frames }, () => packet(0x100, 'more')),
  ]);

describe('chunksForViewers', () => {
  it('starts a key chunk exactly at each GOP and keeps every chunk under the NATS bound', () => {
    const data = Buffer.concat([
      Buffer.concat(Array.from({ length: 5 }, () => packet(0x100, 'more'))),
      gop(1000),
      gop(3),
    ]);
    const chunks = chunksForViewers(data);
    expect(Buffer.concat(chunks.map((c) => c.bytes))).toEqual(data);
    expect(chunks.every((c) => c.bytes.length <= MAX_CHUNK_BYTES && c.bytes.length % 188 === 0)).toBe(true);
    const keys = chunks.filter((c) => c.key);
    expect(keys).toHaveLength(2);
    // Each key chunk starts with the PAT (PID 0).
    expect(keys.map((key) => ((key.bytes[1]! & 0x1f) << 8) | key.bytes[2]!)).toEqual([0, 0]);
    expect(chunks[0]!.key).toBe(false);
  });

  it('keeps a piece without key points whole when small, split when large', () => {
    const small = Buffer.concat(Array.from({ length: 10 }, () => packet(0x100, 'more')));
    expect(chunksForViewers(small)).toEqual([{ bytes: small, key: false }]);
    const large = Buffer.concat(Array.from({ length: 1000 }, () => packet(0x100, 'more')));
    expect(chunksForViewers(large).map((c) => c.bytes.length)).toEqual([
      MAX_CHUNK_BYTES,
      MAX_CHUNK_BYTES,
      1000 * 188 - 2 * MAX_CHUNK_BYTES,
    ]);
  });
});
