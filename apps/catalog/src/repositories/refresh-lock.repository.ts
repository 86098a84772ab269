import { Injectable } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { Bucket, CatalogLockKey } from '@e2gate/contracts';
import { isKvRevisionConflict, NatsConnectionService } from '@e2gate/nats';

/** The value of `catalog-lock/refresh`: who refreshes, and until when the lease holds unless renewed. */
export interface RefreshLease {
  refreshId: string;
  owner: string;
  startedAt: string;
  /** ISO time after which the lease is free for anyone to take over (compare-and-set on the revision). */
  expiresAt: string;
}

export interface StoredLease {
  /** Null when the stored value is not a lease this version understands (it then counts as expired). */
  lease: RefreshLease | null;
  revision: number;
}

/**
 * Reads and writes the refresh lease in the `catalog-lock` KV. Every write is a compare-and-set: `create` only
 * when the key is absent, `update`/`remove` only at the revision the caller saw. A lost compare-and-set comes
 * back as `null`/`false`; every other NATS error is thrown. Whether a lease has expired is the caller's call.
 */
@Injectable()
export class RefreshLockRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  /** Writes the lease when no one holds the key; the new revision, or null when the key exists. */
  async create(lease: RefreshLease): Promise<number | null> {
    const kv = await this.kv();
    try {
      return await kv.create(CatalogLockKey.Refresh, JSON.stringify(lease));
    } catch (error) {
      if (isKvRevisionConflict(error)) return null;
      throw error;
    }
  }

  /** The stored lease with its revision; null when the key is absent or deleted. */
  async read(): Promise<StoredLease | null> {
    const kv = await this.kv();
    const entry = await kv.get(CatalogLockKey.Refresh);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
    return { lease: parseLease(entry.string()), revision: entry.revision };
  }

  /** Replaces the lease seen at `revision`; the new revision, or null when someone wrote since. */
  async update(lease: RefreshLease, revision: number): Promise<number | null> {
    const kv = await this.kv();
    try {
      return await kv.update(CatalogLockKey.Refresh, JSON.stringify(lease), revision);
    } catch (error) {
      if (isKvRevisionConflict(error)) return null;
      throw error;
    }
  }

  /** Deletes the lease written at `revision`; false when someone else has written it since. */
  async remove(revision: number): Promise<boolean> {
    const kv = await this.kv();
    try {
      await kv.delete(CatalogLockKey.Refresh, { previousSeq: revision });
      return true;
    } catch (error) {
      if (isKvRevisionConflict(error)) return false;
      throw error;
    }
  }

  private async kv(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.CatalogLock);
  }
}

function parseLease(text: string): RefreshLease | null {
  try {
    const value = JSON.parse(text) as Partial<RefreshLease> | null;
    if (
      value &&
      typeof value.refreshId === 'string' &&
      typeof value.owner === 'string' &&
      typeof value.startedAt === 'string' &&
      typeof value.expiresAt === 'string' &&
      Number.isFinite(Date.parse(value.expiresAt))
    ) {
      return {
        refreshId: value.refreshId,
        owner: value.owner,
        startedAt: value.startedAt,
        expiresAt: value.expiresAt,
      };
    }
  } catch {
    // Not JSON: treated like an expired lease.
  }
  return null;
}
