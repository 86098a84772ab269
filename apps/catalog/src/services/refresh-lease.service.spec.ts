import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CatalogConfig } from '@e2gate/config';
import { ClockRepository } from '@e2gate/observability';
import type {
  RefreshLease,
  RefreshLockRepository,
  StoredLease,
} from '../repositories/refresh-lock.repository.js';
import { leaseExpired, RefreshLeaseService } from './refresh-lease.service.js';

const T0 = Date.UTC(2026, 10, 21, 18, 0, 0);
const LEASE_MS = 30_000;

/** The KV key with its compare-and-set rules, in memory (the medium tests run the real one). */
class MemoryLock {
  value: string | null = null;
  revision = 0;
  failNext: Error | null = null;

  private check(): void {
    const error = this.failNext;
    this.failNext = null;
    if (error) throw error;
  }

  create = vi.fn(async (lease: RefreshLease) => {
    this.check();
    if (this.value !== null) return null;
    return this.write(JSON.stringify(lease));
  });

  read = vi.fn(async (): Promise<StoredLease | null> => {
    this.check();
    if (this.value === null) return null;
    let lease: RefreshLease | null = null;
    try {
      const parsed = JSON.parse(this.value) as RefreshLease;
      lease = typeof parsed.expiresAt === 'string' ? parsed : null;
    } catch {
      lease = null;
    }
    return { lease, revision: this.revision };
  });

  update = vi.fn(async (lease: RefreshLease, revision: number) => {
    this.check();
    if (this.value === null || revision !== this.revision) return null;
    return this.write(JSON.stringify(lease));
  });

  remove = vi.fn(async (revision: number) => {
    this.check();
    if (revision !== this.revision) return false;
    this.value = null;
    this.revision++;
    return true;
  });

  write(value: string): number {
    this.value = value;
    return ++this.revision;
  }

  stored(): RefreshLease | null {
    return this.value === null ? null : (JSON.parse(this.value) as RefreshLease);
  }
}

class TestClock extends ClockRepository {
  override systemMs(): number {
    return Date.now();
  }
}

let lock: MemoryLock;
let leases: RefreshLeaseService;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  lock = new MemoryLock();
  leases = new RefreshLeaseService(
    { refreshLeaseMs: LEASE_MS } as CatalogConfig,
    lock as unknown as RefreshLockRepository,
    new TestClock(),
  );
});

afterEach(() => vi.useRealTimers());

const deadLease = (expiresAt: number): RefreshLease => ({
  refreshId: 'dead',
  owner: 'ghost:1',
  startedAt: new Date(T0 - 3600_000).toISOString(),
  expiresAt: new Date(expiresAt).toISOString(),
});

describe('leaseExpired', () => {
  it('treats a passed, missing or unreadable expiry as free', () => {
    expect(leaseExpired(deadLease(T0 + 1), T0)).toBe(false);
    expect(leaseExpired(deadLease(T0), T0)).toBe(true);
    expect(leaseExpired({ ...deadLease(T0 + 1), expiresAt: 'soon' }, T0)).toBe(true);
    expect(leaseExpired(null, T0)).toBe(true);
  });
});

describe('RefreshLeaseService', () => {
  it('takes a free key with an expiry one lease ahead', async () => {
    const claim = await leases.acquire({ refreshId: 'r1', owner: 'me:1' });
    expect(claim).toMatchObject({ acquired: true, replaced: null, held: { revision: 1, lost: false } });
    expect(lock.stored()).toMatchObject({
      refreshId: 'r1',
      owner: 'me:1',
      expiresAt: new Date(T0 + LEASE_MS).toISOString(),
    });
  });

  it('reports the live holder instead of taking its lease', async () => {
    lock.write(JSON.stringify(deadLease(T0 + 5_000)));
    const claim = await leases.acquire({ refreshId: 'r1', owner: 'me:1' });
    expect(claim).toEqual({ acquired: false, holder: deadLease(T0 + 5_000) });
    expect(lock.stored()?.refreshId).toBe('dead');
  });

  it('takes over a lapsed lease by compare-and-set', async () => {
    lock.write(JSON.stringify(deadLease(T0 - 1)));
    const claim = await leases.acquire({ refreshId: 'r1', owner: 'me:1' });
    expect(claim).toMatchObject({ acquired: true, replaced: deadLease(T0 - 1), held: { revision: 2 } });
    expect(lock.stored()?.refreshId).toBe('r1');
  });

  it('takes over a value it cannot read (an older format)', async () => {
    lock.write(JSON.stringify({ refreshId: 'old', owner: 'x', startedAt: 'then' }));
    expect(await leases.acquire({ refreshId: 'r1', owner: 'me:1' })).toMatchObject({
      acquired: true,
      replaced: null,
    });
  });

  it('loses the race for a lapsed lease to a faster contender and reports it', async () => {
    lock.write(JSON.stringify(deadLease(T0 - 1)));
    lock.update.mockImplementationOnce(async () => {
      lock.write(JSON.stringify({ ...deadLease(T0 + LEASE_MS), refreshId: 'faster' }));
      return null;
    });
    const claim = await leases.acquire({ refreshId: 'r1', owner: 'me:1' });
    expect(claim).toMatchObject({ acquired: false, holder: { refreshId: 'faster' } });
  });

  it('passes NATS errors on instead of reading them as "held"', async () => {
    lock.failNext = new Error('JetStream not enabled');
    await expect(leases.acquire({ refreshId: 'r1', owner: 'me:1' })).rejects.toThrow(/JetStream/);
  });

  it('renews every third of the lease, so a live holder never lapses', async () => {
    const claim = await leases.acquire({ refreshId: 'r1', owner: 'me:1' });
    if (!claim.acquired) throw new Error('not acquired');
    const lost = vi.fn();
    const keeper = leases.keepAlive(claim.held, lost);
    await vi.advanceTimersByTimeAsync(3 * LEASE_MS);
    expect(lock.update).toHaveBeenCalledTimes(9);
    expect(Date.parse(lock.stored()!.expiresAt)).toBe(Date.now() + LEASE_MS);
    expect(await leases.liveHolder()).toMatchObject({ refreshId: 'r1' });
    await keeper.stop();
    await leases.release(claim.held);
    expect(lock.value).toBeNull();
    expect(lost).not.toHaveBeenCalled();
  });

  it('keeps trying after a failed renewal and still holds the lease', async () => {
    const claim = await leases.acquire({ refreshId: 'r1', owner: 'me:1' });
    if (!claim.acquired) throw new Error('not acquired');
    const keeper = leases.keepAlive(claim.held, () => undefined);
    lock.failNext = new Error('timeout');
    await vi.advanceTimersByTimeAsync(LEASE_MS / 3);
    expect(claim.held.revision).toBe(1);
    await vi.advanceTimersByTimeAsync(LEASE_MS / 3);
    expect(claim.held.revision).toBe(2);
    await keeper.stop();
  });

  it('reports a lease taken over by another replica once and then leaves the key alone', async () => {
    const claim = await leases.acquire({ refreshId: 'r1', owner: 'me:1' });
    if (!claim.acquired) throw new Error('not acquired');
    const lost = vi.fn();
    const keeper = leases.keepAlive(claim.held, lost);
    lock.write(JSON.stringify({ ...deadLease(T0 + LEASE_MS), refreshId: 'other' }));
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(lost).toHaveBeenCalledTimes(1);
    await keeper.stop();
    await leases.release(claim.held);
    expect(lock.remove).not.toHaveBeenCalled();
    expect(lock.stored()?.refreshId).toBe('other');
  });

  it('sees no live holder once a lease has lapsed', async () => {
    lock.write(JSON.stringify(deadLease(T0 + 1_000)));
    expect(await leases.liveHolder()).toMatchObject({ refreshId: 'dead' });
    vi.setSystemTime(T0 + 1_000);
    expect(await leases.liveHolder()).toBeNull();
  });
});
