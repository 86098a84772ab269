import { Injectable } from '@nestjs/common';
import type { QueuedIterator } from '@nats-io/transport-node';
import type { KvWatchEntry } from '@nats-io/kv';
import { Bucket, CatalogMetaKey, parseCatalogMeta, type CatalogMetaRecord } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

/** Reads what the catalog publishes: `catalog-meta/current` (watched) and the snapshot objects, validated. */
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

  /** Runs `listener` after every NATS reconnect (the server may have restarted with an empty store). */
  onReconnect(listener: () => void): void {
    this.nats.onReconnect(listener);
  }

  /** The meta record of a watch entry, validated (`SNAPSHOT_INVALID` otherwise); null for a deleted key. */
  decodeMeta(entry: KvWatchEntry): CatalogMetaRecord | null {
    if (entry.operation !== 'PUT' || entry.length === 0) return null;
    return parseCatalogMeta(entry.string());
  }

  /** The stored bytes of the snapshot `meta` names (not checked yet); null when missing. */
  async readSnapshot(meta: CatalogMetaRecord): Promise<Uint8Array | null> {
    const store = await (await this.nats.objm()).open(Bucket.Catalog);
    return store.getBlob(meta.objectName);
  }
}
