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
  it('lets session and node records lapse after three missed heartbeats; segments only when HLS is on', () => {
    expect(transcoderStorage({ heartbeatMs: 2_000 })).toEqual([
      expect.objectContaining({ kind: 'kv', name: Bucket.ReceiverBudget }),
      expect.objectContaining({ kind: 'kv', name: Bucket.Sessions, ttlMs: 6_000 }),
      expect.objectContaining({ kind: 'kv', name: Bucket.Tuners }),
      expect.objectContaining({ kind: 'kv', name: Bucket.Nodes, ttlMs: 6_000 }),
    ]);
    const withHls = transcoderStorage({ heartbeatMs: 2_000, hls: { ttlMs: 3_600_000, maxBytes: 1024 ** 3 } });
    expect(withHls.at(-1)).toEqual(
      expect.objectContaining({ kind: 'object', name: Bucket.Hls, ttlMs: 3_600_000, maxBytes: 1024 ** 3 }),
    );
    expect(
      transcoderStorage({ heartbeatMs: 2_000 }).find((spec) => spec.name === Bucket.Tuners),
    ).not.toHaveProperty('ttlMs');
  });
});
