import { describe, expect, it } from 'vitest';
import { ErrorCode, Subject } from '@e2gate/contracts';
import { epgEventsFor } from '../../receiver-sim/index.js';
import { nextRefreshOutcome, removeDir, startCatalog } from '../../support/catalog-harness.js';
import { useCatalogTestbed } from '../../support/catalog-testbed.js';
import { startNatsServer } from '../../support/nats-server.js';
import { expectedChannelCount, expectedChannels } from './expected.js';

// A fixed instant shared by the simulator and the catalog, so EPG windows are identical on both sides.
const NOW_MS = Date.UTC(2026, 10, 21, 18, 7, 30);
const NOW = Math.floor(NOW_MS / 1000);
const EPG_DAYS = 2;

const bed = useCatalogTestbed({
  sim: { bouquets: 3, channels: 24, epgDays: 7, seed: 11 },
  nowMs: NOW_MS,
  env: { E2GATE_EPG_DAYS: String(EPG_DAYS) },
});
const start = (env: Record<string, string> = {}) => bed.start(env);

describe('catalog refresh against the receiver simulator', () => {
  it('reads every channel and exactly the normalised EPG of each', async () => {
    const catalog = await start();
    const outcome = await catalog.startup;
    expect(outcome.ok).toBe(true);

    const meta = await catalog.request(Subject.CatalogGetMeta, {});
    const expected = expectedChannels(bed.sim.dataset);
    expect(meta).toMatchObject({ present: true, stale: false, breaker: 'closed' });
    expect(meta.counts!.channels).toBe(expectedChannelCount(bed.sim.dataset));
    expect(meta.counts!.bouquets).toBe(bed.sim.dataset.bouquets.filter((b) => b.kind === 'tv').length);

    const { channels, total } = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    expect(total).toBe(meta.counts!.channels);
    expect(
      channels
        .filter((c) => c.kind === 'dvb')
        .map((c) => c.ref)
        .sort(),
    ).toEqual([...expected.dvb].sort());
    expect(
      channels
        .filter((c) => c.kind === 'iptv')
        .map((c) => c.iptvUrl)
        .sort(),
    ).toEqual([...expected.iptv].sort());
    expect(new Set(channels.map((c) => c.number)).size).toBe(channels.length);

    // EPG: the simulator's events for our window, minus zero-length entries and, for each overlapping entry,
    // the one it overlaps (when that one is inside the window too). Alternatives groups resolve to a member.
    let expectedEvents = 0;
    for (const channel of channels.filter((c) => c.kind !== 'iptv')) {
      const raw = epgEventsFor(bed.sim.dataset, channel.ref, { time: NOW, endTime: EPG_DAYS * 1440 }, NOW_MS);
      const nonEmpty = raw.filter((e) => e.duration > 0);
      const overlapping = nonEmpty.filter(
        (e) =>
          e.quirk === 'overlap' && nonEmpty.some((n) => n.begin > e.begin && n.begin < e.begin + e.duration),
      );
      const kept = nonEmpty.length - overlapping.length;
      expectedEvents += kept;
      const { events } = await catalog.request(Subject.CatalogGetEpg, {
        channelIds: [channel.id],
        from: NOW - 86_400,
        to: NOW + EPG_DAYS * 86_400,
        limit: 2000,
      });
      expect(events.length, channel.name).toBe(kept);
      for (let i = 1; i < events.length; i++)
        expect(events[i]!.start).toBeGreaterThanOrEqual(events[i - 1]!.stop);
    }
    expect(expectedEvents).toBeGreaterThan(0);
    expect(meta.counts!.events).toBe(expectedEvents);
    expect(meta.partialFailures?.filter((f) => f.scope !== 'epg')).toEqual([]);
  });

  it('never turns markers, hidden entries or sub-bouquets into channels', async () => {
    // Like some images, the box lists invisible (flag 512) entries even without hidden=1: the catalog must skip
    // them by their flags. Check that the box really sends them, so the assertions below can fail.
    await bed.sim.setFaults({ hiddenEntries: true });
    const hiddenRefs = bed.sim.dataset.bouquets
      .flatMap((b) => b.entries)
      .filter((e) => e.kind === 'hidden')
      .map((e) => e.ref);
    const listedRefs: string[] = [];
    for (const bouquet of bed.sim.dataset.bouquets.filter((b) => b.kind === 'tv')) {
      const response = await fetch(`${bed.sim.url}/api/getservices?sRef=${encodeURIComponent(bouquet.ref)}`);
      const body = (await response.json()) as { services: { servicereference: string }[] };
      listedRefs.push(...body.services.map((row) => row.servicereference));
    }
    expect(hiddenRefs.length).toBeGreaterThan(0);
    expect(hiddenRefs.filter((ref) => !listedRefs.includes(ref))).toEqual([]);

    const catalog = await start();
    expect((await catalog.startup).ok).toBe(true);
    const { channels } = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    const refs = new Set(channels.map((c) => c.ref.toUpperCase()));
    const names = new Set(channels.map((c) => c.name));
    const skipped = bed.sim.dataset.bouquets
      .flatMap((b) => b.entries)
      .filter((e) => ['marker', 'hidden', 'subbouquet'].includes(e.kind));
    expect(skipped.length).toBeGreaterThan(0);
    for (const entry of skipped) {
      expect(refs.has(entry.ref.toUpperCase()), entry.ref).toBe(false);
      if (entry.kind === 'hidden' && entry.channel)
        expect(names.has(entry.channel.name), entry.channel.name).toBe(false);
    }
  });

  it('repairs Latin-1 responses into correct UTF-8 names', async () => {
    await bed.sim.setFaults({ latin1: true });
    const catalog = await start();
    expect((await catalog.startup).ok).toBe(true);
    const { channels } = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    const nonAscii = bed.sim.dataset.channels.filter(
      (c) => /[^\x00-\x7f]/.test(c.name) && expectedChannels(bed.sim.dataset).dvb.has(c.ref),
    );
    expect(nonAscii.length).toBeGreaterThan(0);
    for (const channel of nonAscii) {
      expect(channels.map((c) => c.name)).toContain(channel.name);
    }
    expect(channels.some((c) => c.name.includes('\ufffd'))).toBe(false);
  });

  it('records an always-failing bouquet in partialFailures and serves the others', async () => {
    const tv = bed.sim.dataset.bouquets.filter((b) => b.kind === 'tv');
    const failing = tv[1]!;
    await bed.sim.setFaults({ failingBouquets: [failing.name] });
    const catalog = await start();
    expect((await catalog.startup).ok).toBe(true);
    const meta = await catalog.request(Subject.CatalogGetMeta, {});
    expect(meta.partialFailures).toContainEqual(
      expect.objectContaining({ scope: 'bouquet', name: failing.name, code: ErrorCode.ReceiverHttpError }),
    );
    const { bouquets } = await catalog.request(Subject.CatalogGetChannels, { limit: 1 });
    expect(bouquets.map((b) => b.name)).toEqual(tv.filter((b) => b !== failing).map((b) => b.name));
  });

  it('still reads every healthy bouquet with 20 % errors and 5 % timeouts', async () => {
    await bed.sim.setFaults({ errorRate: 0.2, timeoutRate: 0.05, hangMs: 5_000 });
    const catalog = await start({ E2GATE_RECEIVER_TIMEOUT: '400ms', E2GATE_RECEIVER_RETRIES: '6' });
    const outcome = await catalog.startup;
    expect(outcome.ok).toBe(true);
    const meta = await catalog.request(Subject.CatalogGetMeta, {});
    expect(meta.partialFailures?.filter((f) => f.scope === 'bouquet')).toEqual([]);
    expect(meta.counts!.channels).toBe(expectedChannelCount(bed.sim.dataset));
    const outcomes = Object.values(bed.sim.stats().endpoints);
    expect(outcomes.some((counts) => (counts.error ?? 0) > 0)).toBe(true);
    expect(outcomes.some((counts) => (counts.timeout ?? 0) > 0)).toBe(true);
  });

  it('reports malformed JSON with a stable code', async () => {
    await bed.sim.setFaults({ malformedJson: ['bouquets'] });
    const emptyNats = await startNatsServer(); // no snapshot from earlier tests
    try {
      const catalog = bed.track(
        await startCatalog({ natsUrl: emptyNats.url, receiverUrl: bed.sim.url, nowMs: NOW_MS }),
      );
      const outcome = await catalog.startup;
      expect(outcome).toMatchObject({
        ok: false,
        event: { code: ErrorCode.ReceiverBadResponse, stale: false },
      });
      expect(outcome.ok === false && outcome.event.message).toMatch(/malformed JSON on bouquets/);
      await expect(catalog.request(Subject.CatalogGetChannels, {})).rejects.toMatchObject({
        code: ErrorCode.NoSnapshot,
      });
      await catalog.close();
      removeDir(catalog.dataDir);
      bed.forget();
    } finally {
      await emptyNats.stop();
    }
  });
});

describe('catalog on a failing receiver', () => {
  it('keeps serving the last snapshot, marked stale, when the receiver goes down', async () => {
    const catalog = await start();
    const first = await catalog.startup;
    expect(first.ok).toBe(true);
    const before = await catalog.request(Subject.CatalogGetMeta, {});

    await bed.sim.setFaults({ offline: true });
    const failed = nextRefreshOutcome(catalog.nc);
    await catalog.request(Subject.CatalogCmdRefresh, { reason: 'test' });
    expect(await failed).toMatchObject({ ok: false, event: { stale: true } });

    const after = await catalog.request(Subject.CatalogGetMeta, {});
    expect(after).toMatchObject({ present: true, stale: true, version: before.version });
    expect([ErrorCode.ReceiverUnreachable, ErrorCode.ReceiverCircuitOpen]).toContain(after.lastError?.code);
    const { total } = await catalog.request(Subject.CatalogGetChannels, {});
    expect(total).toBe(before.counts!.channels);
  });

  it('serves the snapshot from the data dir after a restart with the receiver down and NATS empty', async () => {
    const catalog = await start();
    expect((await catalog.startup).ok).toBe(true);
    const before = await catalog.request(Subject.CatalogGetMeta, {});
    const dataDir = catalog.dataDir;
    await catalog.app.close();
    await catalog.nc.close();
    bed.forget();

    await bed.sim.setFaults({ offline: true });
    const freshNats = await startNatsServer();
    try {
      const restarted = await startCatalog({
        natsUrl: freshNats.url,
        receiverUrl: bed.sim.url,
        dataDir,
        nowMs: NOW_MS,
      });
      try {
        const meta = await restarted.request(Subject.CatalogGetMeta, {});
        expect(meta).toMatchObject({ present: true, version: before.version });
        expect(meta.counts).toEqual(before.counts);
        expect((await restarted.startup).ok).toBe(false);
        expect(await restarted.request(Subject.CatalogGetMeta, {})).toMatchObject({
          present: true,
          stale: true,
        });
      } finally {
        await restarted.close();
      }
    } finally {
      await freshNats.stop();
      removeDir(dataDir);
    }
  });

  it('runs one refresh for concurrent refresh commands', async () => {
    const catalog = await start();
    await catalog.startup;
    bed.sim.resetStats();
    const finished = nextRefreshOutcome(catalog.nc);
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        catalog!.request(Subject.CatalogCmdRefresh, { reason: `burst ${i}` }),
      ),
    );
    expect(new Set(replies.map((r) => r.refreshId)).size).toBe(1);
    expect(replies.filter((r) => r.state === 'started')).toHaveLength(1);
    const outcome = await finished;
    expect(outcome.event.refreshId).toBe(replies[0]!.refreshId);
    expect(outcome).toMatchObject({ ok: true, event: { changed: false } });
    expect(bed.sim.stats().endpoints['/api/bouquets']).toEqual({ ok: 1 });
  });
});
