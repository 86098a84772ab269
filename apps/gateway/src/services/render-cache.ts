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
  /** Groups entries that go together (the base URL they were rendered for). */
  tag: string;
}

/**
 * Rendered documents by key (key = everything that changes the bytes), least recently used first out once
 * `maxBytes` is exceeded. Concurrent requests for a key share one rendering (single flight); a failed rendering is
 * forgotten so the next request tries again. `onEvict` hears of every entry pushed out by the byte bound.
 */
export class RenderCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onEvict: (entries: number) => void = () => undefined,
  ) {}

  get(key: string, render: () => Promise<Rendered>, tag = ''): Promise<Rendered> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise;
    }
    const entry: Entry = { promise: render(), bytes: 0, tag };
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

  /** Forgets every entry with `tag` (a rendering still running is not cached when it ends); returns how many. */
  dropTag(tag: string): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.tag !== tag) continue;
      this.entries.delete(key);
      this.totalBytes -= entry.bytes;
      dropped++;
    }
    return dropped;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  private evict(keep: string): void {
    let evicted = 0;
    for (const [key, entry] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      if (key === keep) continue;
      this.entries.delete(key);
      this.totalBytes -= entry.bytes;
      evicted++;
    }
    if (evicted > 0) this.onEvict(evicted);
  }
}

/** The `capacity` most recently used values. */
export class RecentSet<T> {
  private readonly items = new Set<T>();

  constructor(private readonly capacity: number) {}

  /** Marks `value` as just used; returns the least recently used value it pushed out, if any. */
  touch(value: T): T | undefined {
    if (this.items.delete(value)) {
      this.items.add(value);
      return undefined;
    }
    this.items.add(value);
    if (this.items.size <= this.capacity) return undefined;
    const oldest = this.items.values().next().value as T;
    this.items.delete(oldest);
    return oldest;
  }

  clear(): void {
    this.items.clear();
  }

  get size(): number {
    return this.items.size;
  }
}
