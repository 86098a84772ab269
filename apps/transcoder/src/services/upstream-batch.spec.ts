import { describe, expect, it } from 'vitest';
import { UpstreamBatch } from './upstream-batch.js';

describe('UpstreamBatch', () => {
  it('hands out one buffer once the reads reach the size, in order', () => {
    const batch = new UpstreamBatch(10);
    expect(batch.add(Buffer.from('abcd'))).toBeNull();
    expect(batch.add(Buffer.from('efgh'))).toBeNull();
    expect(batch.add(Buffer.from('ijkl'))?.toString()).toBe('abcdefghijkl');
    expect(batch.take()).toBeNull(); // nothing left behind
  });

  it('hands out what it has on take (the timer), nothing when empty, and ignores empty reads', () => {
    const batch = new UpstreamBatch(10);
    expect(batch.take()).toBeNull();
    expect(batch.add(Buffer.alloc(0))).toBeNull();
    expect(batch.take()).toBeNull();
    const read = Buffer.from('xyz');
    batch.add(read);
    expect(batch.take()).toBe(read); // a single read is passed on as is, not copied
    expect(batch.take()).toBeNull();
  });

  it('passes a read larger than the size on at once', () => {
    const batch = new UpstreamBatch(4);
    expect(batch.add(Buffer.from('0123456789'))?.length).toBe(10);
  });
});
