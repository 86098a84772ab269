import type { ThrottlerStorage } from '@nestjs/throttler';

interface Window {
  hits: number;
  endsAt: number;
  blockedUntil: number;
}

export interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Fixed-window counters for `@nestjs/throttler`: O(1) per request and bounded memory. (The stock storage keeps one
 * timestamp per hit and filters them on every request, which costs milliseconds per request once a window holds
 * tens of thousands of hits.) A client over the limit is blocked for `blockDuration`. Windows are per process:
 * replicas each enforce the limit on what they see.
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    const id = `${throttlerName}\u0000${key}`;
    let window = this.windows.get(id);
    if (!window || (window.endsAt <= now && window.blockedUntil <= now)) {
      if (!window) this.makeRoom(now);
      window = { hits: 0, endsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
    }
    const blocked = window.blockedUntil > now;
    if (!blocked) {
      window.hits++;
      if (window.hits > limit) window.blockedUntil = now + blockDuration;
    }
    return {
      totalHits: window.hits,
      timeToExpire: Math.max(0, Math.ceil((window.endsAt - now) / 1000)),
      isBlocked: window.blockedUntil > now,
      timeToBlockExpire: Math.max(0, Math.ceil((window.blockedUntil - now) / 1000)),
    };
  }

  get size(): number {
    return this.windows.size;
  }

  /** Drops finished windows; if every one is live, the oldest go (a flood of new clients cannot grow memory). */
  private makeRoom(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    for (const [id, window] of this.windows) {
      if (window.endsAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
    for (const id of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) return;
      this.windows.delete(id);
    }
  }
}
