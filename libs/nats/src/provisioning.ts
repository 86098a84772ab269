import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { Kvm } from '@nats-io/kv';
import type { Objm } from '@nats-io/obj';
import type { BucketSpec, StorageSpec, StreamSpec } from './nats-options.js';
import { streamConfig, streamDifferences } from './stream-config.js';

const NANOS_PER_MS = 1_000_000;
/** JetStream API error: a stream of that name exists with another configuration. */
const STREAM_NAME_IN_USE = 10058;

export interface JetStreamManagers {
  kvm: Kvm;
  objm: Objm;
  jsm: JetStreamManager;
}

/** An existing stream whose settings differ from its spec; it is left as it is. */
export interface StreamConflict {
  stream: string;
  /** `setting: existing → wanted` */
  differences: string[];
}

/**
 * Creates the buckets and streams a service writes, or leaves them when they exist. Runs at every start and after
 * every reconnect. Buckets: create is idempotent for an identical configuration. Streams: created when missing; an
 * existing one is never changed (its messages may be work someone still has to do), and one whose settings differ
 * from its spec is returned, for the caller to report.
 */
export async function provisionStorage(
  managers: JetStreamManagers,
  specs: readonly StorageSpec[],
  options: { replicas?: number } = {},
): Promise<StreamConflict[]> {
  const replicas = options.replicas ?? 1;
  const conflicts: StreamConflict[] = [];
  for (const spec of specs) {
    if (spec.kind === 'stream') {
      const conflict = await provisionStream(managers.jsm, spec, replicas);
      if (conflict) conflicts.push(conflict);
    } else {
      const conflict = await provisionBucket(managers, spec, replicas);
      if (conflict) conflicts.push(conflict);
    }
  }
  return conflicts;
}

/** A bucket made earlier with another replica count is left as it is (`nats stream edit --replicas`) and reported. */
async function provisionBucket(
  managers: JetStreamManagers,
  spec: BucketSpec,
  replicas: number,
): Promise<StreamConflict | null> {
  await createBucket(managers, spec, replicas);
  const stream = spec.kind === 'kv' ? `KV_${spec.name}` : `OBJ_${spec.name}`;
  const existing = (await managers.jsm.streams.info(stream)).config.num_replicas;
  return existing === replicas ? null : { stream, differences: [`replicas: ${existing} → ${replicas}`] };
}

async function createBucket(
  { kvm, objm, jsm }: JetStreamManagers,
  spec: BucketSpec,
  replicas: number,
): Promise<void> {
  if (spec.kind === 'kv') {
    await kvm.create(spec.name, {
      replicas,
      history: spec.history ?? 1,
      ...(spec.ttlMs === undefined ? {} : { ttl: spec.ttlMs }),
      ...(spec.maxBytes === undefined ? {} : { max_bytes: spec.maxBytes }),
      ...(spec.description === undefined ? {} : { description: spec.description }),
    });
  } else {
    await objm.create(spec.name, {
      replicas,
      ...(spec.ttlMs === undefined ? {} : { ttl: spec.ttlMs * NANOS_PER_MS }),
      ...(spec.maxBytes === undefined ? {} : { max_bytes: spec.maxBytes }),
      ...(spec.description === undefined ? {} : { description: spec.description }),
    });
    if (spec.dropOldest) await dropOldestAtLimit(jsm, `OBJ_${spec.name}`);
  }
}

/** Makes a bucket's stream discard its oldest messages at its byte limit (idempotent). */
async function dropOldestAtLimit(jsm: JetStreamManager, stream: string): Promise<void> {
  const info = await jsm.streams.info(stream);
  if (info.config.discard === DiscardPolicy.Old) return;
  await jsm.streams.update(stream, { ...info.config, discard: DiscardPolicy.Old });
}

async function provisionStream(
  jsm: JetStreamManager,
  spec: StreamSpec,
  replicas: number,
): Promise<StreamConflict | null> {
  const existing = (await streamInfo(jsm, spec.name)) ?? (await addStream(jsm, spec, replicas));
  if (!existing) return null;
  const differences = streamDifferences(spec, existing.config);
  if (existing.config.num_replicas !== replicas) {
    differences.push(`replicas: ${existing.config.num_replicas} → ${replicas}`);
  }
  return differences.length === 0 ? null : { stream: spec.name, differences };
}

/** Null when the stream was created as specified; the existing stream when another process created it first. */
async function addStream(
  jsm: JetStreamManager,
  spec: StreamSpec,
  replicas: number,
): Promise<StreamInfo | null> {
  try {
    await jsm.streams.add({ ...streamConfig(spec), num_replicas: replicas });
    return null;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
    return streamInfo(jsm, spec.name);
  }
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return null;
    throw error;
  }
}
