/**
 * Segments this gateway replica serves, bounded in bytes, least recently used out first. A segment is read from
 * the Object Store once however many viewers ask at the same moment (the read is shared) or later (it is cached).
 */
export class SegmentCache {
  private readonly entries = new Map<string, Uint8Array>();
  private readonly loading = new Map<string, Promise<Uint8Array | null>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.bytes;
  }

  /** The cached segment, or the result of `load` (shared by concurrent callers; null = no such segment). */
  get(key: string, load: () => Promise<Uint8Array | null>): Promise<Uint8Array | null> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); // most recently used last
      this.entries.set(key, hit);
      return Promise.resolve(hit);
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const started = load()
      .then((bytes) => {
        if (bytes) this.remember(key, bytes);
        return bytes;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, started);
    return started;
  }

  /** Forgets every segment whose key starts with `prefix` (a session that ended). */
  forget(prefix: string): void {
    for (const [key, bytes] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.entries.delete(key);
      this.bytes -= bytes.length;
    }
  }

  private remember(key: string, bytes: Uint8Array): void {
    if (bytes.length > this.maxBytes) return;
    this.entries.set(key, bytes);
    this.bytes += bytes.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.length;
    }
  }
}
