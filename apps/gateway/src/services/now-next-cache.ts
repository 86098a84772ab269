import type { NowNextDto } from '../dto/catalog-responses.dto.js';

interface Entry {
  promise: Promise<NowNextDto>;
  /** Epoch seconds; unknown (Infinity) until the answer arrives. */
  expiresAt: number;
}

/**
 * Short-lived now/next answers, so that players polling the same page do not each cost a catalog round trip.
 * An answer stays valid until the first programme in it ends or the next one starts (at most `maxAgeSeconds`);
 * the key carries the snapshot version, so a new snapshot is never answered from an old one. Concurrent misses
 * share one request; failures are not kept.
 */
export class NowNextCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 256,
    private readonly maxAgeSeconds = 30,
  ) {}

  get(key: string, nowSeconds: number, load: () => Promise<NowNextDto>): Promise<NowNextDto> {
    const hit = this.entries.get(key);
    if (hit && nowSeconds < hit.expiresAt) return hit.promise;
    const entry: Entry = { promise: load(), expiresAt: Number.POSITIVE_INFINITY };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    entry.promise.then(
      (value) => (entry.expiresAt = validUntil(value, nowSeconds, this.maxAgeSeconds)),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }
}

/** The first instant at which any item of the answer changes, capped at `maxAge` seconds from `now`. */
export function validUntil(value: NowNextDto, nowSeconds: number, maxAgeSeconds: number): number {
  let until = nowSeconds + maxAgeSeconds;
  for (const item of value.items) {
    const change = item.now?.stop ?? item.next?.start;
    if (change !== undefined && change < until) until = change;
  }
  return until;
}
