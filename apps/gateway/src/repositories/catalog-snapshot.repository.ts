import { Injectable } from '@nestjs/common';
import type { QueuedIterator } from '@nats-io/transport-node';
import type { KvWatchEntry } from '@nats-io/kv';
import {
  Bucket,
  CatalogMetaKey,
  decodeSnapshot,
  type CatalogMetaRecord,
  type CatalogSnapshot,
} from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

/** Reads what the catalog publishes: `catalog-meta/current` (watched) and the snapshot objects. */
@Injectable()
export class CatalogSnapshotRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  /**
   * Every value of `catalog-meta/current`, starting with the present one; null for a deleted key. Fails when the
   * bucket does not exist yet (the catalog creates it), which the caller retries.
   */
  async watchMeta(): Promise<QueuedIterator<KvWatchEntry>> {
    const kvm = await this.nats.kvm();
    const kv = await kvm.open(Bucket.CatalogMeta);
    await kv.status();
    return kv.watch({ key: CatalogMetaKey.Current });
  }

  decodeMeta(entry: KvWatchEntry): CatalogMetaRecord | null {
    if (entry.operation !== 'PUT' || entry.length === 0) return null;
    return entry.json<CatalogMetaRecord>();
  }

  async loadSnapshot(objectName: string): Promise<CatalogSnapshot | null> {
    const store = await (await this.nats.objm()).open(Bucket.Catalog);
    const blob = await store.getBlob(objectName);
    return blob ? decodeSnapshot(blob) : null;
  }
}
