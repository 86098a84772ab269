import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import { ClockRepository } from '@e2gate/observability';
import { RefreshLockRepository, type RefreshLease } from '../repositories/refresh-lock.repository.js';

export type { RefreshLease } from '../repositories/refresh-lock.repository.js';

export interface LeaseHolder {
  refreshId: string;
  owner: string;
}

/** A lease this process holds: the record and the KV revision it was last written at. */
export interface HeldLease {
  lease: RefreshLease;
  revision: number;
  /** Set once another replica took the lease over (a renewal lost its compare-and-set). */
  lost: boolean;
}

export type LeaseClaim =
  | {
      acquired: true;
      held: HeldLease;
      /** The expired lease of another refresh that was taken over (null: the key was free). */
      replaced: RefreshLease | null;
    }
  | { acquired: false; holder: RefreshLease };

/** Keeps a held lease alive until stopped. */
export interface LeaseKeeper {
  /** Stops renewing; resolves once a renewal in flight has settled (so the revision is final). */
  stop(): Promise<void>;
}

/** Rounds of create → read → take over before giving up under contention. */
const MAX_CLAIM_ROUNDS = 5;
const MIN_RENEW_EVERY_MS = 250;

/** A lease without a readable expiry, or whose expiry has passed, is free. */
export function leaseExpired(lease: RefreshLease | null, nowMs: number): boolean {
  return lease === null || !(Date.parse(lease.expiresAt) > nowMs);
}

export function leaseUntil(
  holder: LeaseHolder & { startedAt: string },
  nowMs: number,
  leaseMs: number,
): RefreshLease {
  return {
    refreshId: holder.refreshId,
    owner: holder.owner,
    startedAt: holder.startedAt,
    expiresAt: new Date(nowMs + leaseMs).toISOString(),
  };
}

/**
 * The cluster-wide single flight of refreshes as a renewed lease (NATS 2.9 has no per-key TTL): the holder
 * writes `catalog-lock/refresh` with an expiry `E2GATE_REFRESH_LEASE` ahead and renews it every third of that
 * by compare-and-set on the revision. A holder that dies stops renewing; once the expiry has passed anyone may
 * take the lease over, again by compare-and-set, so exactly one contender wins.
 */
@Injectable()
export class RefreshLeaseService {
  private readonly logger = new Logger(RefreshLeaseService.name);
  readonly leaseMs: number;
  readonly renewEveryMs: number;

  constructor(
    @Inject(APP_CONFIG) config: CatalogConfig,
    private readonly lock: RefreshLockRepository,
    private readonly clock: ClockRepository,
  ) {
    this.leaseMs = config.refreshLeaseMs;
    this.renewEveryMs = Math.max(MIN_RENEW_EVERY_MS, Math.floor(config.refreshLeaseMs / 3));
  }

  /**
   * Takes the lease for `holder`, or reports the live holder. Throws when NATS cannot be asked (the caller
   * decides what a refresh does without the lease).
   */
  async acquire(holder: LeaseHolder): Promise<LeaseClaim> {
    const startedAt = new Date(this.clock.systemMs()).toISOString();
    let lastHolder: RefreshLease | null = null;
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const lease = leaseUntil({ ...holder, startedAt }, this.clock.systemMs(), this.leaseMs);
      const created = await this.lock.create(lease);
      if (created !== null)
        return { acquired: true, held: { lease, revision: created, lost: false }, replaced: null };
      const stored = await this.lock.read();
      if (!stored) continue; // released between our create and read: try again
      if (!leaseExpired(stored.lease, this.clock.systemMs())) {
        return { acquired: false, holder: stored.lease! };
      }
      const taken = await this.lock.update(lease, stored.revision);
      if (taken !== null) {
        return { acquired: true, held: { lease, revision: taken, lost: false }, replaced: stored.lease };
      }
      lastHolder = stored.lease; // someone else wrote first: look again
    }
    if (lastHolder) return { acquired: false, holder: lastHolder };
    throw new Error(`refresh lease still contended after ${MAX_CLAIM_ROUNDS} attempts`);
  }

  /**
   * Renews `held` every `renewEveryMs` until stopped. A renewal that loses its compare-and-set means another
   * replica took the lease over: `onLost` is called once and renewing stops. Other errors are logged and the
   * next tick tries again (the revision still guards against a takeover in between).
   */
  keepAlive(held: HeldLease, onLost: () => void): LeaseKeeper {
    let inFlight: Promise<void> | null = null;
    const timer = setInterval(() => {
      if (inFlight || held.lost) return;
      inFlight = this.renew(held)
        .then((kept) => {
          if (kept) return;
          held.lost = true;
          clearInterval(timer);
          onLost();
        })
        .catch((error: Error) => this.logger.warn(`could not renew the refresh lease: ${error.message}`))
        .finally(() => (inFlight = null));
    }, this.renewEveryMs);
    return {
      stop: async () => {
        clearInterval(timer);
        await inFlight;
      },
    };
  }

  /** Frees a held lease (not one already taken over by another replica). */
  async release(held: HeldLease): Promise<void> {
    if (held.lost) return;
    await this.lock.remove(held.revision);
  }

  /** The lease of a refresh running somewhere in the cluster, or null when none holds a live one. */
  async liveHolder(): Promise<RefreshLease | null> {
    const stored = await this.lock.read();
    if (!stored || leaseExpired(stored.lease, this.clock.systemMs())) return null;
    return stored.lease;
  }

  private async renew(held: HeldLease): Promise<boolean> {
    const lease = leaseUntil(held.lease, this.clock.systemMs(), this.leaseMs);
    const revision = await this.lock.update(lease, held.revision);
    if (revision === null) return false;
    held.lease = lease;
    held.revision = revision;
    return true;
  }
}
