import type { NowNextDto } from '../dto/catalog-responses.dto.js';
import { JsonBody } from '../http/json-body.js';

interface Entry {
  body: Promise<JsonBody>;
  /** Epoch seconds; unknown (Infinity) until the answer arrives. */
  expiresAt: number;
}

/**
 * Short-lived now/next answers, so that players polling the same page do not each cost a catalog round trip nor a
 * serialisation: an answer is kept as its JSON bytes (with ETags, gzip made on demand) and sent as they are.
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

  get(key: string, nowSeconds: number, load: () => Promise<NowNextDto>): Promise<JsonBody> {
    const hit = this.entries.get(key);
    if (hit && nowSeconds < hit.expiresAt) return hit.body;
    // The callback runs once the answer arrives, after `entry` exists.
    const body = load().then((answer) => {
      entry.expiresAt = validUntil(answer, nowSeconds, this.maxAgeSeconds);
      return JsonBody.of(answer);
    });
    const entry: Entry = { body, expiresAt: Number.POSITIVE_INFINITY };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    entry.body.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.body;
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
