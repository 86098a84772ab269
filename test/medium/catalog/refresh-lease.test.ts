import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Bucket, CatalogLockKey, Subject } from '@e2gate/contracts';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import { removeDir, startCatalog, type CatalogUnderTest } from '../../support/catalog-harness.js';
import { connectNats } from '../../support/nats-events.js';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

// The cluster-wide refresh lease (`catalog-lock/refresh`): a lock left behind by a replica that died, was
// SIGKILLed or stopped mid-refresh must never hold refreshes back for longer than its lease.

const NOW_MS = Date.UTC(2026, 10, 21, 18, 7, 30);

interface LeaseValue {
  refreshId: string;
  owner: string;
  startedAt: string;
  expiresAt: string;
}

let nats: RunningNatsServer;
let sim: ReceiverSim;
let nc: NatsConnection;
let lock: KV;
const catalogs: CatalogUnderTest[] = [];

beforeAll(async () => {
  nats = await startNatsServer(); // its own server: these tests write the lock key themselves
  sim = await startReceiverSim({ bouquets: 2, channels: 12, epgDays: 2, seed: 5, now: () => NOW_MS });
  nc = await connectNats(nats.url);
  // The catalog opens an existing bucket as it is, so the test may create it first to plant a lease.
  lock = await new Kvm(nc).create(Bucket.CatalogLock, { history: 1 });
});

afterAll(async () => {
  await nc?.close();
  await sim?.close();
  await nats?.stop();
});

afterEach(async () => {
  for (const catalog of catalogs.splice(0)) {
    await catalog.close();
    removeDir(catalog.dataDir);
  }
  await lock.delete(CatalogLockKey.Refresh);
  await sim.resetFaults();
});

async function start(env: Record<string, string> = {}): Promise<CatalogUnderTest> {
  const catalog = await startCatalog({
    natsUrl: nats.url,
    receiverUrl: sim.url,
    nowMs: NOW_MS,
    env: { E2GATE_EPG_DAYS: '1', E2GATE_REFRESH_LEASE: '30s', ...env },
  });
  catalogs.push(catalog);
  return catalog;
}

/** A lease as a replica writes it, for a refresh whose process is gone. */
async function plantDeadLease(refreshId: string, expiresAtMs: number): Promise<void> {
  const lease: LeaseValue = {
    refreshId,
    owner: 'dead-host:4242',
    startedAt: new Date(expiresAtMs - 3600_000).toISOString(),
    expiresAt: new Date(expiresAtMs).toISOString(),
  };
  await lock.put(CatalogLockKey.Refresh, JSON.stringify(lease));
}

async function storedLease(): Promise<LeaseValue | null> {
  const entry = await lock.get(CatalogLockKey.Refresh);
  return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<LeaseValue>() : null;
}

/** The next lease written to the key that satisfies `predicate` (watches the key; no polling). */
async function nextLeaseWrite(predicate: (lease: LeaseValue) => boolean, timeoutMs = 20_000) {
  const watcher = await lock.watch({ key: CatalogLockKey.Refresh });
  const timer = setTimeout(() => watcher.stop(), timeoutMs);
  try {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT' || entry.length === 0) continue;
      const lease = entry.json<LeaseValue>();
      if (predicate(lease)) return lease;
    }
    throw new Error(`no matching lease written within ${timeoutMs} ms`);
  } finally {
    clearTimeout(timer);
    watcher.stop();
  }
}

describe('refresh lease', () => {
  it('takes over a lapsed lease left by a dead owner at once', async () => {
    await plantDeadLease('dead-refresh', Date.now() - 1_000);
    const catalog = await start();
    const outcome = await catalog.startup;
    expect(outcome.ok).toBe(true);
    expect(outcome.event.refreshId).not.toBe('dead-refresh');
    // Its own lease is released when the refresh ends (the release may land just after the outcome event).
    const deadline = Date.now() + 5_000;
    while ((await storedLease()) !== null && Date.now() < deadline)
      await new Promise((done) => setTimeout(done, 50));
    expect(await storedLease()).toBeNull();
  });

  it('joins a live lease of a dead owner, then refreshes once that lease lapses', async () => {
    const lapsesAt = Date.now() + 3_000;
    await plantDeadLease('ghost-refresh', lapsesAt);
    const catalog = await start();

    // While the lease is live, commands join the (dead) refresh…
    expect(await catalog.request(Subject.CatalogCmdRefresh, { reason: 'test' })).toEqual({
      refreshId: 'ghost-refresh',
      state: 'joined',
    });
    // …and the start-up refresh, which joined it too, runs itself once the lease has lapsed.
    const outcome = await catalog.startup;
    expect(outcome.ok).toBe(true);
    expect(outcome.event.refreshId).not.toBe('ghost-refresh');
    expect(Date.now()).toBeGreaterThanOrEqual(lapsesAt);
    expect(Date.now()).toBeLessThan(lapsesAt + 20_000);
    expect(await catalog.request(Subject.CatalogGetMeta, {})).toMatchObject({ present: true, stale: false });
  });

  it('shutdown cancels a running refresh and releases its lease, so the next start refreshes at once', async () => {
    const first = await start();
    expect((await first.startup).ok).toBe(true);
    const before = await first.request(Subject.CatalogGetMeta, {});
    await first.close();
    catalogs.splice(0);
    removeDir(first.dataDir);

    // A slow box keeps the next start-up refresh busy for far longer than the test waits.
    await sim.setFaults({ slowEpgMs: 4_000 });
    const taken = nextLeaseWrite(() => true);
    const slow = await start({ E2GATE_REFRESH_LEASE: '3s' });
    const lease = await taken;
    // The lease is renewed while the refresh runs (every second with a 3 s lease).
    const renewed = await nextLeaseWrite(
      (next) => next.refreshId === lease.refreshId && next.expiresAt > lease.expiresAt,
    );
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now());

    const stopping = performance.now();
    await slow.close();
    catalogs.splice(0);
    removeDir(slow.dataDir);
    // Cancelled, not waited for: each EPG request alone takes 4 s.
    expect(performance.now() - stopping).toBeLessThan(3_000);
    expect(await storedLease()).toBeNull();

    // A cancelled refresh is no failure: the stored snapshot is not marked stale.
    const meta = (await new Kvm(nc).open(Bucket.CatalogMeta)).get('current');
    expect((await meta)?.json()).toMatchObject({ version: before.version, stale: false });

    await sim.resetFaults();
    const next = await start();
    const outcome = await next.startup;
    expect(outcome.ok).toBe(true);
    expect(outcome.event.refreshId).not.toBe(lease.refreshId);
  });
});
