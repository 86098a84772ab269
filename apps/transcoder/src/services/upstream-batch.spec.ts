import { describe, expect, it } from 'vitest';
import { UpstreamBatch } from './upstream-batch.js';

function collect(
  batch: UpstreamBatch,
  reads: string[],
  accept = true,
): { full: string[]; accepted: boolean[] } {
  const full: string[] = [];
  const accepted = reads.map((read) =>
    batch.add(Buffer.from(read), (gathered) => {
      full.push(gathered.toString()); // a view: read it during the call
      return accept;
    }),
  );
  return { full, accepted };
}

describe('UpstreamBatch', () => {
  it('hands out the reads once they reach the size, in order, then starts over', () => {
    const batch = new UpstreamBatch(10);
    const { full, accepted } = collect(batch, ['abcd', 'efgh', 'ijkl']);
    expect(full).toEqual(['abcdefghij']);
    expect(accepted).toEqual([true, true, true]);
    expect(batch.take()?.toString()).toBe('kl');
    expect(batch.take()).toBeNull(); // nothing left behind
  });

  it('hands out what it has on take (the timer), nothing when empty, and ignores empty reads', () => {
    const batch = new UpstreamBatch(10);
    expect(batch.take()).toBeNull();
    expect(collect(batch, ['']).full).toEqual([]);
    expect(batch.take()).toBeNull();
    collect(batch, ['xyz']);
    expect(batch.take()?.toString()).toBe('xyz');
    expect(batch.take()).toBeNull();
  });

  it('cuts a read larger than the size into several batches and keeps the rest', () => {
    const batch = new UpstreamBatch(4);
    expect(collect(batch, ['0123456789']).full).toEqual(['0123', '4567']);
    expect(batch.take()?.toString()).toBe('89');
  });

  it('copies each read, so the reader may reuse its buffer at once', () => {
    const batch = new UpstreamBatch(8);
    const read = Buffer.from('abcd');
    batch.add(read, () => true);
    read.write('wxyz');
    expect(batch.take()?.toString()).toBe('abcd');
  });

  it('reports a refused batch (the caller pauses reading) and still gathers the rest of the read', () => {
    const batch = new UpstreamBatch(4);
    const { full, accepted } = collect(batch, ['abcdef'], false);
    expect(full).toEqual(['abcd']);
    expect(accepted).toEqual([false]);
    expect(batch.take()?.toString()).toBe('ef');
  });
});
