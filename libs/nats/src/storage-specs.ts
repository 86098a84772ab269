import { Bucket } from '@e2gate/contracts';
import type { StorageSpec } from './nats-options.js';

/** The JetStream buckets and streams each app writes (DESIGN §2), created by `NatsModule.forRoot({ storage })`. */

const MiB = 1024 * 1024;

/** Node and session records are rewritten every heartbeat; one that misses three has lapsed. */
const HEARTBEATS_PER_TTL = 3;

/** What the catalog writes: snapshots, their meta record, the refresh lease, picons. */
export function catalogStorage(options: { refreshLeaseMs: number }): StorageSpec[] {
  return [
    { kind: 'object', name: Bucket.Catalog, maxBytes: 2048 * MiB, description: 'catalog snapshots' },
    {
      kind: 'kv',
      name: Bucket.CatalogMeta,
      history: 5,
      maxBytes: 16 * MiB,
      description: 'current catalog snapshot',
    },
    {
      kind: 'kv',
      name: Bucket.CatalogLock,
      history: 1,
      // Only clean-up: the lease's own expiry (renewed by its holder) decides whether it is free.
      ttlMs: Math.max(4 * options.refreshLeaseMs, 60_000),
      maxBytes: MiB,
      description: 'refresh lease (cluster-wide single flight)',
    },
    { kind: 'object', name: Bucket.Picons, maxBytes: 512 * MiB, description: 'channel logos' },
  ];
}

export interface TranscoderStorageOptions {
  /** How long a session record outlives its last write. */
  sessionTtlMs: number;
  /** How often a node rewrites its record; the record lapses after three missed beats. */
  heartbeatMs: number;
  /** How long a segment is kept: the timeshift window. */
  hlsTtlMs: number;
  hlsMaxBytes: number;
}

/** What the transcoder writes: live session state, node records, HLS segments. */
export function transcoderStorage(options: TranscoderStorageOptions): StorageSpec[] {
  return [
    {
      kind: 'kv',
      name: Bucket.Sessions,
      history: 1,
      ttlMs: options.sessionTtlMs,
      maxBytes: 64 * MiB,
      description: 'live transcoder sessions',
    },
    {
      kind: 'kv',
      name: Bucket.Nodes,
      history: 1,
      ttlMs: HEARTBEATS_PER_TTL * options.heartbeatMs,
      maxBytes: 16 * MiB,
      description: 'transcoder nodes (capabilities, capacity, load)',
    },
    {
      kind: 'object',
      name: Bucket.Hls,
      ttlMs: options.hlsTtlMs,
      maxBytes: options.hlsMaxBytes,
      description: 'HLS segments of live sessions',
    },
  ];
}
