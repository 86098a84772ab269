import type { Kvm } from '@nats-io/kv';
import type { Objm } from '@nats-io/obj';
import type { BucketSpec } from './nats-options.js';

const NANOS_PER_MS = 1_000_000;

/**
 * Creates the buckets a service needs, or opens them when they exist (create is idempotent for an
 * identical configuration). Runs at every start.
 */
export async function provisionBuckets(kvm: Kvm, objm: Objm, specs: readonly BucketSpec[]): Promise<void> {
  for (const spec of specs) {
    if (spec.kind === 'kv') {
      await kvm.create(spec.name, {
        history: spec.history ?? 1,
        ...(spec.ttlMs === undefined ? {} : { ttl: spec.ttlMs }),
        ...(spec.maxBytes === undefined ? {} : { max_bytes: spec.maxBytes }),
        ...(spec.description === undefined ? {} : { description: spec.description }),
      });
    } else {
      await objm.create(spec.name, {
        ...(spec.ttlMs === undefined ? {} : { ttl: spec.ttlMs * NANOS_PER_MS }),
        ...(spec.maxBytes === undefined ? {} : { max_bytes: spec.maxBytes }),
        ...(spec.description === undefined ? {} : { description: spec.description }),
      });
    }
  }
}
