interface Window {
  failures: number;
  startedAt: number;
  blockedUntil: number;
}

export interface AuthFailureLimits {
  limit: number;
  windowMs: number;
  /** Clients tracked at once; the oldest are forgotten first. */
  maxClients?: number;
}

/**
 * Brute-force brake: a client (IP) that presents more than `limit` bad credentials within `windowMs` is answered
 * 429 for `windowMs`, before its credentials are even looked at. Memory is bounded by `maxClients`.
 */
export class AuthFailureLimiter {
  private readonly clients = new Map<string, Window>();
  private readonly maxClients: number;

  constructor(private limits: AuthFailureLimits) {
    this.maxClients = limits.maxClients ?? 50_000;
  }

  /** New limits from a settings reload; clients already blocked stay blocked until their time is up. */
  reconfigure(limits: Pick<AuthFailureLimits, 'limit' | 'windowMs'>): void {
    this.limits = { ...this.limits, ...limits };
  }

  /** Seconds until the client may try again; 0 when it is not blocked. */
  retryAfter(client: string, nowMs: number): number {
    const window = this.clients.get(client);
    if (!window || window.blockedUntil <= nowMs) return 0;
    return Math.max(1, Math.ceil((window.blockedUntil - nowMs) / 1000));
  }

  /** Counts one bad credential; returns the seconds to wait when this failure blocks the client. */
  recordFailure(client: string, nowMs: number): number {
    let window = this.clients.get(client);
    if (!window || nowMs - window.startedAt >= this.limits.windowMs) {
      window = { failures: 0, startedAt: nowMs, blockedUntil: 0 };
    }
    this.clients.delete(client);
    this.clients.set(client, window);
    window.failures++;
    if (window.failures > this.limits.limit) window.blockedUntil = nowMs + this.limits.windowMs;
    this.evict();
    return this.retryAfter(client, nowMs);
  }

  get tracked(): number {
    return this.clients.size;
  }

  private evict(): void {
    while (this.clients.size > this.maxClients) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) return;
      this.clients.delete(oldest);
    }
  }
}
