import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Subject } from '@e2gate/contracts';
import { RefreshCoordinator } from '../../../apps/catalog/src/services/refresh-coordinator.service.js';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import {
  nextRefreshOutcome,
  removeDir,
  startCatalog,
  type CatalogUnderTest,
} from '../../support/catalog-harness.js';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

// Two catalog replicas on one nats-server: one refreshes, the other follows its catalog.evt.refreshed /
// refresh-failed events (validated like every NATS message) and serves the same snapshot.

const NOW_MS = Date.UTC(2026, 10, 21, 18, 7, 30);

let nats: RunningNatsServer;
let sim: ReceiverSim;
const replicas: Replica[] = [];

interface Replica {
  catalog: CatalogUnderTest;
  /** Resolves once this replica has handled the outcome event of `refreshId` (rejects after a timeout). */
  followed(refreshId: string, timeoutMs?: number): Promise<void>;
  /** The snapshot this replica serves, from its own HTTP readiness endpoint. */
  snapshot(): Promise<{ version: string; stale: boolean }>;
}

beforeAll(async () => {
  nats = await startNatsServer();
  sim = await startReceiverSim({ bouquets: 3, channels: 18, epgDays: 2, seed: 23, now: () => NOW_MS });
});

afterAll(async () => {
  for (const { catalog } of replicas.splice(0)) {
    await catalog.close();
    removeDir(catalog.dataDir);
  }
  await sim?.close();
  await nats?.stop();
});

async function startReplica(): Promise<Replica> {
  const catalog = await startCatalog({
    natsUrl: nats.url,
    receiverUrl: sim.url,
    nowMs: NOW_MS,
    env: { E2GATE_EPG_DAYS: '1', E2GATE_RECEIVER_RETRIES: '0' },
  });
  // Watch the handler's call into the coordinator: the event must pass validation to get there.
  const coordinator = catalog.app.get(RefreshCoordinator);
  const sync = coordinator.syncFromCluster.bind(coordinator);
  const handled = new Map<string, { promise: Promise<void>; resolve(): void }>();
  const entry = (refreshId: string) => {
    let found = handled.get(refreshId);
    if (!found) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      found = { promise, resolve };
      handled.set(refreshId, found);
    }
    return found;
  };
  vi.spyOn(coordinator, 'syncFromCluster').mockImplementation(async (refreshId) => {
    try {
      await sync(refreshId);
    } finally {
      entry(refreshId).resolve();
    }
  });
  const replica: Replica = {
    catalog,
    followed: (refreshId, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`event of refresh ${refreshId} not handled within ${timeoutMs} ms`)),
          timeoutMs,
        );
        void entry(refreshId).promise.then(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    snapshot: async () => {
      const response = await fetch(`${await catalog.app.getUrl()}/readyz`);
      const body = (await response.json()) as {
        details: { snapshot: { version: string; stale: boolean } };
      };
      const { version, stale } = body.details.snapshot;
      return { version, stale };
    },
  };
  replicas.push(replica);
  return replica;
}

describe('two catalog replicas on one NATS', () => {
  it('the second follows the refreshes and failures of the first', async () => {
    const a = await startReplica();
    const first = await a.catalog.startup;
    expect(first.ok).toBe(true);

    // B starts, serves A's snapshot and refreshes once itself; A handles B's event.
    const b = await startReplica();
    const second = await b.catalog.startup;
    expect(second).toMatchObject({ ok: true, event: { changed: false } });
    await a.followed(second.event.refreshId);
    const v1 = (await a.snapshot()).version;
    expect(await b.snapshot()).toEqual({ version: v1, stale: false });

    // A refresh with new content, run by whichever replica the queue group picks; the other one follows.
    const tv = sim.dataset.bouquets.filter((bouquet) => bouquet.kind === 'tv');
    await sim.setFaults({ failingBouquets: [tv[0]!.name] });
    const changed = nextRefreshOutcome(a.catalog.nc);
    const reply = await a.catalog.request(Subject.CatalogCmdRefresh, { reason: 'replica test' });
    expect(reply.state).toBe('started');
    const outcome = await changed;
    expect(outcome).toMatchObject({ ok: true, event: { refreshId: reply.refreshId, changed: true } });
    await Promise.all([a.followed(reply.refreshId), b.followed(reply.refreshId)]);
    const v2 = outcome.ok ? outcome.event.version : '';
    expect(v2).not.toBe(v1);
    expect(await a.snapshot()).toEqual({ version: v2, stale: false });
    expect(await b.snapshot()).toEqual({ version: v2, stale: false });

    // A failed refresh: the replica that did not run it adopts the stale marking.
    await sim.setFaults({ offline: true });
    const failed = nextRefreshOutcome(a.catalog.nc);
    const failing = await b.catalog.request(Subject.CatalogCmdRefresh, { reason: 'replica test, offline' });
    expect(await failed).toMatchObject({ ok: false, event: { refreshId: failing.refreshId, stale: true } });
    await Promise.all([a.followed(failing.refreshId), b.followed(failing.refreshId)]);
    expect(await a.snapshot()).toEqual({ version: v2, stale: true });
    expect(await b.snapshot()).toEqual({ version: v2, stale: true });
    await sim.resetFaults();
  });
});
