import type { EncodedDocument } from './document-encoder.js';

/**
 * A rendered document. Large ones (the XMLTV guide: ~150 MiB for 1,500 channels × 7 days) are kept gzip-only and
 * decompressed on the fly for the rare client that does not accept gzip; `body` is null then. The strong ETags are
 * hashes of the identity bytes (`etag`; the gzip variant uses `etagGzip`).
 */
export interface Rendered extends EncodedDocument {
  contentType: string;
}

interface Entry {
  promise: Promise<Rendered>;
  bytes: number;
}

/**
 * Rendered documents by key (key = everything that changes the bytes), least recently used first out once
 * `maxBytes` is exceeded. Concurrent requests for a key share one rendering (single flight); a failed rendering is
 * forgotten so the next request tries again.
 */
export class RenderCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, render: () => Promise<Rendered>): Promise<Rendered> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise;
    }
    const entry: Entry = { promise: render(), bytes: 0 };
    this.entries.set(key, entry);
    entry.promise.then(
      (rendered) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = (rendered.body?.length ?? 0) + rendered.gzip.length;
        this.totalBytes += entry.bytes;
        this.evict(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  private evict(keep: string): void {
    for (const [key, entry] of this.entries) {
      if (this.totalBytes <= this.maxBytes) return;
      if (key === keep) continue;
      this.entries.delete(key);
      this.totalBytes -= entry.bytes;
    }
  }
}
