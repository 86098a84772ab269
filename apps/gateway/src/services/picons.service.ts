import { Injectable } from '@nestjs/common';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { PiconStoreRepository } from '../repositories/picon-store.repository.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';

export interface Picon {
  png: Buffer;
  etag: string;
}

const MAX_CACHED = 4096;
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

/**
 * Channel logos from the `picons` Object Store. A name no channel of the served snapshot uses, or one the catalog
 * stored as a known miss, is a 404 without touching NATS twice; hits are kept in a bounded in-memory cache that a
 * new snapshot empties.
 */
@Injectable()
export class PiconsService {
  private readonly hits = new Map<string, Picon>();
  private readonly misses = new Set<string>();
  private cachedBytes = 0;

  constructor(
    private readonly store: PiconStoreRepository,
    private readonly follower: SnapshotFollowerService,
  ) {
    follower.onInstall(() => this.clear());
  }

  async get(name: string): Promise<Picon> {
    const view = this.follower.current;
    if ((view && !view.piconNames.has(name)) || this.misses.has(name)) throw notFound(name);
    const hit = this.hits.get(name);
    if (hit) return hit;
    const stored = await this.store.get(name);
    if (stored.kind !== 'found') {
      this.remember(name);
      throw notFound(name);
    }
    const picon = {
      png: Buffer.from(stored.png),
      etag: `"${stored.digest.replace(/[^A-Za-z0-9_=-]/g, '')}"`,
    };
    this.cache(name, picon);
    return picon;
  }

  private cache(name: string, picon: Picon): void {
    if (this.hits.size >= MAX_CACHED || this.cachedBytes + picon.png.length > MAX_CACHED_BYTES) this.clear();
    this.hits.set(name, picon);
    this.cachedBytes += picon.png.length;
  }

  private remember(name: string): void {
    if (this.misses.size >= MAX_CACHED) this.misses.clear();
    this.misses.add(name);
  }

  private clear(): void {
    this.hits.clear();
    this.misses.clear();
    this.cachedBytes = 0;
  }
}

function notFound(name: string): E2gateError {
  return new E2gateError(ErrorCode.NotFound, `no picon ${JSON.stringify(name)}`);
}
