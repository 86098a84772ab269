import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  SnapshotBounds,
  Subject,
  type CatalogRefreshedEvent,
  type EpgEvent,
} from '@e2gate/contracts';
import { nextRefreshOutcome, removeDir, startCatalog } from '../../support/catalog-harness.js';
import { connectNats } from '../../support/nats-events.js';
import { useCatalogTestbed } from '../../support/catalog-testbed.js';
import { startNatsServer } from '../../support/nats-server.js';
import { expectedChannelCount } from './expected.js';

// The catalog against a receiver that fails part-way, sends hostile JSON, lists absurd numbers of bouquets, or is
// slow on a first start: it keeps what it had, stays bounded and responsive, and says `degraded` with the reason.

const NOW_MS = Date.UTC(2026, 11, 4, 20, 15, 0);
const NOW = Math.floor(NOW_MS / 1000);

const bed = useCatalogTestbed({
  sim: { bouquets: 3, channels: 24, epgDays: 3, seed: 14 },
  nowMs: NOW_MS,
  env: { E2GATE_EPG_DAYS: '2' },
});

const readyz = async (app: { getUrl(): Promise<string> }) => {
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) })).json() as Promise<{
    status: string;
    info?: Record<string, Record<string, unknown>>;
  }>;
};

async function guides(catalog: Awaited<ReturnType<typeof bed.start>>, ids: string[]) {
  const out = new Map<string, EpgEvent[]>();
  for (const id of ids) {
    const { events } = await catalog.request(Subject.CatalogGetEpg, {
      channelIds: [id],
      from: NOW - 86_400,
      to: NOW + 3 * 86_400,
      limit: 2000,
    });
    out.set(id, events);
  }
  return out;
}

describe('a refresh that loses most of the EPG part-way', () => {
  it('keeps each failed channel guide from the previous snapshot, records it, and reports degraded', async () => {
    const catalog = await bed.start({ E2GATE_RECEIVER_RETRIES: '1' });
    expect((await catalog.startup).ok).toBe(true);
    const before = await catalog.request(Subject.CatalogGetMeta, {});
    const { channels } = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    const all = await guides(
      catalog,
      channels.filter((c) => c.kind !== 'iptv').map((c) => c.id),
    );
    const withGuide = [...all.entries()].filter(([, events]) => events.length > 0);
    // Two thirds of the guides fail (500s, then the circuit breaker opens for the rest).
    const failing = withGuide.slice(0, Math.ceil((withGuide.length * 2) / 3));
    const failingNames = failing.map(([id]) => channels.find((c) => c.id === id)!.name);
    await bed.sim.setFaults({ failingEpg: failingNames });

    const outcome = nextRefreshOutcome(catalog.nc);
    await catalog.request(Subject.CatalogCmdRefresh, { reason: 'receiver failing part-way' });
    expect((await outcome).ok).toBe(true);

    const after = await catalog.request(Subject.CatalogGetMeta, {});
    const failedTargets = new Set(
      after.partialFailures!.filter((f) => f.scope === 'epg').map((f) => f.target),
    );
    for (const [id] of failing) expect(failedTargets.has(id), id).toBe(true);
    expect(after.counts!.channelsWithEpg).toBe(before.counts!.channelsWithEpg);
    expect(after.counts!.events).toBe(before.counts!.events);
    // Carried over: the failed channels that had a guide (a channel with no events before has nothing to keep).
    const hadGuide = [...failedTargets].filter((id) => (all.get(id)?.length ?? 0) > 0);
    expect(after.counts!.epgCarried).toBe(hadGuide.length);
    // The clock is frozen, so "still in the future" is every event the previous snapshot had.
    const kept = await guides(
      catalog,
      failing.map(([id]) => id),
    );
    for (const [id, events] of failing) expect(kept.get(id), id).toEqual(events);
    expect(after.stale).toBe(false);
    expect(after.degraded).toContainEqual(
      expect.stringMatching(
        /^EPG of \d+ of \d+ channels could not be read \(\d+ kept from an earlier refresh\)$/,
      ),
    );
    const ready = await readyz(catalog.app);
    expect(ready.status).toBe('degraded');
    expect(ready.info?.['snapshot']).toMatchObject({
      status: 'degraded',
      reason: expect.stringContaining('could not be read'),
    });
  });
});

describe('hostile receiver JSON', () => {
  it('refuses oversized bodies at the endpoint cap and nested ones before parsing, answering health checks', async () => {
    const catalog = await bed.start({ E2GATE_RECEIVER_RETRIES: '0' });
    expect((await catalog.startup).ok).toBe(true);
    const tv = bed.sim.dataset.bouquets.filter((b) => b.kind === 'tv');
    await bed.sim.setFaults({
      nestedJson: ['getservices', 'epgservice'],
      nestedJsonBytes: 62 * 1024 * 1024,
    });
    const base = (await catalog.app.getUrl()).replace('[::1]', '127.0.0.1');
    const outcome = nextRefreshOutcome(catalog.nc, 120_000);
    await catalog.request(Subject.CatalogCmdRefresh, { reason: 'hostile bodies' });
    // Liveness keeps answering while the refresh reads the hostile bodies.
    let healthy = 0;
    let settled = false;
    void outcome.finally(() => (settled = true));
    while (!settled) {
      const reply = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(reply.status).toBe(200);
      healthy++;
    }
    expect(healthy).toBeGreaterThan(0);
    const result = await outcome;
    // 62 MB on getservices exceeds its cap: no bouquet is readable, the refresh fails and the snapshot stays.
    expect(result).toMatchObject({
      ok: false,
      event: { code: ErrorCode.ReceiverResponseTooLarge, stale: true },
    });

    // Below the cap, the depth limit refuses the body before JSON.parse builds it.
    await bed.sim.setFaults({ nestedJsonBytes: 4 * 1024 * 1024, nestedJson: ['getservices'] });
    const second = nextRefreshOutcome(catalog.nc);
    await catalog.request(Subject.CatalogCmdRefresh, { reason: 'nested' });
    const failed = await second;
    expect(failed).toMatchObject({ ok: false, event: { code: ErrorCode.ReceiverBadResponse } });
    expect(failed.event).toMatchObject({ message: expect.stringContaining('nested deeper than 32 levels') });
    expect(tv.length).toBeGreaterThan(0);
  });
});

describe('a receiver listing far more bouquets than any box has', () => {
  it('reads at most the bound, records LIMIT_EXCEEDED, and finishes with the real channels', async () => {
    bed.sim.resetStats();
    await bed.sim.setFaults({ extraBouquets: SnapshotBounds.maxBouquets + 500 });
    const catalog = await bed.start();
    const outcome = await catalog.startup;
    expect(outcome.ok).toBe(true);
    const meta = await catalog.request(Subject.CatalogGetMeta, {});
    expect(meta.partialFailures).toContainEqual(
      expect.objectContaining({ scope: 'bouquet', target: 'bouquets', code: ErrorCode.LimitExceeded }),
    );
    expect(meta.counts!.channels).toBe(expectedChannelCount(bed.sim.dataset));
    const servicesRequests = Object.values(bed.sim.stats().endpoints['/api/getservices'] ?? {}).reduce(
      (sum, count) => sum + (count ?? 0),
      0,
    );
    expect(servicesRequests).toBeLessThanOrEqual(SnapshotBounds.maxBouquets);
    expect(meta.degraded).toContainEqual(expect.stringContaining('bouquet problem'));
  });
});

describe('the first start on a slow receiver', () => {
  it('publishes the channel list at once, then now/next, then the EPG as it arrives, and says epg loading', async () => {
    await bed.sim.setFaults({ slowEpgMs: 250 });
    const fresh = await startNatsServer();
    const steps: CatalogRefreshedEvent[] = [];
    const nc = await connectNats(fresh.url);
    let firstStep!: () => void;
    const published = new Promise<void>((resolve) => (firstStep = resolve));
    const sub = nc.subscribe(Subject.CatalogEvtRefreshed, {
      callback: (_error, msg) => {
        steps.push(msg.json<CatalogRefreshedEvent>());
        firstStep();
      },
    });
    // A NATS of its own: nothing published before, as on a first start.
    try {
      const catalog = bed.track(
        await startCatalog({
          natsUrl: fresh.url,
          receiverUrl: bed.sim.url,
          nowMs: NOW_MS,
          env: { E2GATE_EPG_DAYS: '2', E2GATE_EPG_PUBLISH_INTERVAL: '1s' },
        }),
      );
      await published;
      const loading = await catalog.request(Subject.CatalogGetMeta, {});
      const outcome = await catalog.startup;
      expect(outcome.ok).toBe(true);

      const partial = steps.filter((step) => step.partial === true);
      expect(partial.length).toBeGreaterThanOrEqual(3);
      const [channelList, nowNext] = partial;
      expect(channelList!.counts.channels).toBe(expectedChannelCount(bed.sim.dataset));
      expect(channelList!.counts.events).toBe(0);
      expect(nowNext!.counts.channelsWithEpg).toBeGreaterThan(0);
      expect(nowNext!.counts.events).toBeLessThanOrEqual(2 * nowNext!.counts.channelsWithEpg);
      const final = outcome.ok ? outcome.event : null;
      expect(final!.counts.events).toBeGreaterThan(partial.at(-1)!.counts.events);
      expect(partial.map((step) => step.counts.events)).toEqual(
        [...partial.map((step) => step.counts.events)].sort((a, b) => a - b),
      );

      expect(loading).toMatchObject({ present: true, epgLoading: true });
      expect(loading.degraded).toContain('epg loading');
      const done = await catalog.request(Subject.CatalogGetMeta, {});
      expect(done.epgLoading).toBeUndefined();
      expect(done.degraded ?? []).not.toContain('epg loading');
      bed.forget();
      await catalog.close();
      removeDir(catalog.dataDir);
    } finally {
      sub.unsubscribe();
      await nc.close();
      await fresh.stop();
    }
  });
});
