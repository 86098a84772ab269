import { describe, expect, it } from 'vitest';
import { Bucket } from '@e2gate/contracts';
import { catalogStorage, transcoderStorage } from './storage-specs.js';

describe('catalogStorage', () => {
  it('keeps lease records at least a minute, four leases when those are longer', () => {
    const lock = (refreshLeaseMs: number) =>
      catalogStorage({ refreshLeaseMs }).find((spec) => spec.name === Bucket.CatalogLock);
    expect(lock(5_000)).toMatchObject({ kind: 'kv', ttlMs: 60_000 });
    expect(lock(600_000)).toMatchObject({ kind: 'kv', ttlMs: 2_400_000 });
  });
});

describe('transcoderStorage', () => {
  it('lets session records, node records (after three missed heartbeats) and segments lapse', () => {
    const specs = transcoderStorage({
      sessionTtlMs: 30_000,
      heartbeatMs: 2_000,
      hlsTtlMs: 3_600_000,
      hlsMaxBytes: 1024 ** 3,
    });
    expect(specs).toEqual([
      expect.objectContaining({ kind: 'kv', name: Bucket.Sessions, ttlMs: 30_000 }),
      expect.objectContaining({ kind: 'kv', name: Bucket.Nodes, ttlMs: 6_000 }),
      expect.objectContaining({ kind: 'object', name: Bucket.Hls, ttlMs: 3_600_000, maxBytes: 1024 ** 3 }),
    ]);
  });
});
