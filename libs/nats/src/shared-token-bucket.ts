import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { isKvRevisionConflict } from './nats-errors.js';

/** The longest pause after a lost compare-and-set, in ms (the pause grows by a millisecond per conflict). */
const MAX_CONFLICT_PAUSE_MS = 20;

interface BucketState {
  tokens: number;
  /** Wall-clock ms of the last update (processes on other machines compare it: keep clocks in sync). */
  at: number;
}

/**
 * A token bucket several processes share through one KV key, changed only by compare-and-set: `ratePerSecond`
 * sustained across all of them, bursts up to `burst`. When NATS cannot be reached the bucket lets requests through
 * (each process still has its own rate limit) and says so once.
 */
export class SharedTokenBucket {
  private readonly logger = new Logger(SharedTokenBucket.name);
  private unreachable = false;

  constructor(
    private readonly kv: () => Promise<KV>,
    private readonly key: string,
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(signal?: AbortSignal): Promise<void> {
    for (let conflicts = 0; ;) {
      signal?.throwIfAborted();
      let waitMs: number;
      try {
        waitMs = await this.tryTake();
      } catch (error) {
        if (!isKvRevisionConflict(error)) return this.letThrough(error);
        // Another taker wrote first: try again after a short jittered pause (many takers contend for one key).
        // Never let a request through for losing races: that would break the budget exactly when it is busiest.
        conflicts++;
        await sleep(
          Math.random() * Math.min(MAX_CONFLICT_PAUSE_MS, conflicts),
          undefined,
          signal ? { signal } : {},
        );
        continue;
      }
      if (waitMs === 0) {
        this.unreachable = false;
        return;
      }
      await sleep(waitMs, undefined, signal ? { signal } : {});
    }
  }

  /** 0 when a token was taken; otherwise how long until one is due. Throws on a lost compare-and-set. */
  private async tryTake(): Promise<number> {
    const kv = await this.kv();
    const entry = await kv.get(this.key);
    const now = this.now();
    const stored = entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<BucketState>() : null;
    const elapsed = stored ? Math.max(0, now - stored.at) / 1000 : 0;
    const tokens = stored ? Math.min(this.burst, stored.tokens + elapsed * this.ratePerSecond) : this.burst;
    if (tokens < 1) return Math.max(1, Math.ceil(((1 - tokens) / this.ratePerSecond) * 1000));
    const next = JSON.stringify({ tokens: tokens - 1, at: now } satisfies BucketState);
    if (stored && entry) await kv.update(this.key, next, entry.revision);
    else await kv.create(this.key, next);
    return 0;
  }

  private letThrough(error: unknown): void {
    if (!this.unreachable) {
      this.unreachable = true;
      this.logger.warn(
        `shared request budget unavailable (${(error as Error).message}); own rate limit only`,
      );
    }
  }
}
