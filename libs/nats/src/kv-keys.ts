import type { JetStreamManager } from '@nats-io/jetstream';

/**
 * The keys a KV bucket holds now under `filter` (a key pattern such as `s.>`), from its stream's subject list: one
 * request (paged by the client for large buckets) with the request timeout. `kv.keys()` instead follows an ordered
 * consumer until it sees a message with nothing pending, or 5 s pass without one; on a bucket rewritten every
 * heartbeat, with entries lapsing while it reads, that wait has no useful bound. A deleted or purged key is still
 * listed while its marker is stored: read each key and skip what is not a `PUT`.
 */
export async function storedKvKeys(jsm: JetStreamManager, bucket: string, filter = '>'): Promise<string[]> {
  const prefix = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}${filter}` });
  return Object.keys(info.state.subjects ?? {})
    .filter((subject) => subject.startsWith(prefix))
    .map((subject) => subject.slice(prefix.length))
    .sort();
}
