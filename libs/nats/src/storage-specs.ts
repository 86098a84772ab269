import { Bucket, JobStream } from '@e2gate/contracts';
import type { StorageSpec } from './nats-options.js';

/** The JetStream buckets and streams each app writes (DESIGN §2), created by `NatsModule.forRoot({ storage })`. */

const MiB = 1024 * 1024;

/** Node and session records are rewritten every heartbeat; one that misses three has lapsed. */
const HEARTBEATS_PER_TTL = 3;

/** The receiver's request budget, shared by every process that talks to the box (catalog, transcoders). */
const receiverBudget: StorageSpec = {
  kind: 'kv',
  name: Bucket.ReceiverBudget,
  history: 1,
  maxBytes: MiB,
  description: "the receiver's request budget shared by catalog and transcoders",
};

/** What the catalog writes: snapshots, their meta record, the refresh lease, picons, the receiver budget. */
export function catalogStorage(options: { refreshLeaseMs: number }): StorageSpec[] {
  return [
    receiverBudget,
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
  /** How often a node rewrites its own and its sessions' records; both lapse after three missed beats. */
  heartbeatMs: number;
  /** HLS segments (browser HLS): kept for the timeshift window, bounded in bytes. Absent: not provisioned. */
  hls?: { ttlMs: number; maxBytes: number };
}

/** What the transcoder writes: live session state, the tuner allocation, node records, HLS segments. */
export function transcoderStorage(options: TranscoderStorageOptions): StorageSpec[] {
  const ttlMs = HEARTBEATS_PER_TTL * options.heartbeatMs;
  const specs: StorageSpec[] = [
    receiverBudget,
    {
      kind: 'kv',
      name: Bucket.Sessions,
      history: 1,
      ttlMs,
      maxBytes: 64 * MiB,
      description: 'live transcoder sessions',
    },
    {
      kind: 'kv',
      name: Bucket.Tuners,
      history: 1,
      maxBytes: MiB,
      description: 'tuner allocation (transponder → sessions), changed by compare-and-set',
    },
    {
      kind: 'kv',
      name: Bucket.Nodes,
      history: 1,
      ttlMs,
      maxBytes: 16 * MiB,
      description: 'transcoder nodes (capabilities, capacity, load)',
    },
  ];
  if (options.hls) {
    specs.push({
      kind: 'object',
      name: Bucket.Hls,
      ttlMs: options.hls.ttlMs,
      maxBytes: options.hls.maxBytes,
      dropOldest: true,
      description: 'HLS segments of live sessions (the timeshift window)',
    });
  }
  return specs;
}

export interface JobStorageOptions {
  /** Finished jobs, their events and artefacts are kept this long. */
  retentionMs: number;
  /** The artefact store's size (new artefacts make room by dropping the oldest, see the artefact sweeper). */
  artifactMaxBytes: number;
  /** Queue messages the `JOBS` work queue holds at most (every class and pool); a publish beyond is refused. */
  queueMaxMessages: number;
}

/** Job records, the work queue, transitions, dead letters and artefacts (written by gateway and transcoders). */
export function jobStorage(options: JobStorageOptions): StorageSpec[] {
  return [
    {
      kind: 'kv',
      name: Bucket.Jobs,
      history: 1,
      ttlMs: options.retentionMs,
      maxBytes: 512 * MiB,
      description: 'transcode job records (compare-and-set) and idempotency keys',
    },
    {
      kind: 'stream',
      name: JobStream.Jobs,
      subjects: ['jobs.dispatch.*.*'],
      retention: 'workqueue',
      maxMsgs: options.queueMaxMessages,
      maxBytes: 64 * MiB,
      discard: 'new',
      duplicateWindowMs: 120_000,
      description: 'job dispatch {jobId, attempt} by pool and class',
    },
    {
      kind: 'stream',
      name: JobStream.Events,
      subjects: ['jobs.evt.>'],
      retention: 'limits',
      maxAgeMs: options.retentionMs,
      maxBytes: 256 * MiB,
      duplicateWindowMs: 120_000,
      description: 'job state transitions',
    },
    {
      kind: 'stream',
      name: JobStream.DeadLetters,
      subjects: ['jobs.dlq.>'],
      retention: 'limits',
      maxAgeMs: options.retentionMs,
      maxBytes: 16 * MiB,
      description: 'jobs whose queue message reached its delivery limit',
    },
    {
      kind: 'object',
      name: Bucket.Artifacts,
      maxBytes: options.artifactMaxBytes,
      description: 'job outputs (browser-ready files)',
    },
  ];
}

export interface WebSessionStorageOptions {
  /** A sign-in lasts this long; the bucket's TTL removes it then. */
  ttlMs: number;
  /** Sign-ins kept at most (each record is a few hundred bytes; the bucket is sized for them). */
  maxSessions: number;
}

/** Browsers signed in to the web app (written by the gateway). */
export function webSessionStorage(options: WebSessionStorageOptions): StorageSpec[] {
  return [
    {
      kind: 'kv',
      name: Bucket.WebSessions,
      history: 1,
      ttlMs: options.ttlMs,
      maxBytes: Math.max(MiB, options.maxSessions * 1024),
      description: 'web app sign-ins (cookie digest → token name, CSRF token, expiry)',
    },
  ];
}
