import { Injectable } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { Bucket, CatalogLockKey } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

export interface RefreshLock {
  refreshId: string;
  owner: string;
  startedAt: string;
}

/**
 * Cluster-wide single flight for refreshes: `catalog-lock.refresh` is created only if absent (compare-and-set);
 * the bucket TTL frees the lock of a replica that died mid-refresh.
 */
@Injectable()
export class RefreshLockRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  /** Takes the lock, or returns the holder's record when another refresh runs. */
  async acquire(
    lock: RefreshLock,
  ): Promise<{ acquired: true } | { acquired: false; holder: RefreshLock | null }> {
    const kv = await this.kv();
    try {
      await kv.create(CatalogLockKey.Refresh, JSON.stringify(lock));
      return { acquired: true };
    } catch {
      const entry = await kv.get(CatalogLockKey.Refresh);
      const holder = entry && entry.length > 0 ? entry.json<RefreshLock>() : null;
      return { acquired: false, holder };
    }
  }

  async release(refreshId: string): Promise<void> {
    const kv = await this.kv();
    const entry = await kv.get(CatalogLockKey.Refresh);
    if (entry && entry.length > 0 && entry.json<RefreshLock>().refreshId === refreshId) {
      await kv.delete(CatalogLockKey.Refresh, { previousSeq: entry.revision });
    }
  }

  private async kv(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.CatalogLock);
  }
}
