import { Injectable } from '@nestjs/common';
import type { CatalogMetaRecord, CatalogSnapshot } from '@e2gate/contracts';
import { SnapshotIndex } from './snapshot-index.js';

/** The snapshot this process serves and its meta record; replaced atomically. */
@Injectable()
export class CatalogStateService {
  private currentIndex: SnapshotIndex | null = null;
  private currentMeta: CatalogMetaRecord | null = null;

  get index(): SnapshotIndex | null {
    return this.currentIndex;
  }

  get meta(): CatalogMetaRecord | null {
    return this.currentMeta;
  }

  get version(): string | null {
    return this.currentIndex?.version ?? null;
  }

  install(snapshot: CatalogSnapshot, meta: CatalogMetaRecord): void {
    if (this.currentIndex?.version !== snapshot.version) {
      this.currentIndex = new SnapshotIndex(snapshot);
    }
    this.currentMeta = meta;
  }

  updateMeta(meta: CatalogMetaRecord): void {
    this.currentMeta = meta;
  }
}
