import { DiscardPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import type { StreamSpec } from './nats-options.js';

const NANOS_PER_MS = 1_000_000;

/** The JetStream configuration a spec asks for; limits left out are the server's "unlimited" values. */
export function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: spec.retention,
    storage: StorageType.File,
    max_bytes: spec.maxBytes ?? -1,
    max_age: (spec.maxAgeMs ?? 0) * NANOS_PER_MS,
    max_msgs: spec.maxMsgs ?? -1,
    ...(spec.discard === undefined
      ? {}
      : { discard: spec.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old }),
    ...(spec.duplicateWindowMs === undefined
      ? {}
      : { duplicate_window: spec.duplicateWindowMs * NANOS_PER_MS }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
  };
}

/**
 * The settings in which an existing stream differs from its spec, as `setting: existing → wanted`; empty when it
 * matches. The description does not count.
 */
export function streamDifferences(spec: StreamSpec, existing: StreamConfig): string[] {
  const wanted = streamConfig(spec);
  const compared: [string, unknown, unknown][] = [
    ['subjects', [...(existing.subjects ?? [])].sort().join(','), [...spec.subjects].sort().join(',')],
    ['retention', existing.retention, wanted.retention],
    ['storage', existing.storage, wanted.storage],
    ['max_bytes', existing.max_bytes, wanted.max_bytes],
    ['max_age', existing.max_age, wanted.max_age],
    ['max_msgs', existing.max_msgs, wanted.max_msgs],
    ['discard', existing.discard ?? DiscardPolicy.Old, wanted.discard ?? DiscardPolicy.Old],
  ];
  return compared
    .filter(([, has, wants]) => has !== wants)
    .map(([setting, has, wants]) => `${setting}: ${String(has)} → ${String(wants)}`);
}
