import { describe, expect, it } from 'vitest';
import { ErrorCode, Subject } from '@e2gate/contracts';
import { nextRefreshOutcome } from '../../support/catalog-harness.js';
import { useCatalogTestbed } from '../../support/catalog-testbed.js';
import { expectedChannelCount, expectedChannels } from './expected.js';

// Bouquet selection (E2GATE_BOUQUETS), a channel whose EPG fails, and the scheduled refresh
// (E2GATE_REFRESH_INTERVAL), against the simulator over HTTP and a real nats-server.

const NOW_MS = Date.UTC(2026, 10, 21, 18, 7, 30);
const NOW = Math.floor(NOW_MS / 1000);

const bed = useCatalogTestbed({
  sim: { bouquets: 3, channels: 24, epgDays: 2, seed: 11 },
  nowMs: NOW_MS,
  env: { E2GATE_EPG_DAYS: '1' },
});
const start = (env: Record<string, string> = {}) => bed.start(env);

const tvBouquets = () => bed.sim.dataset.bouquets.filter((bouquet) => bouquet.kind === 'tv');

describe('E2GATE_BOUQUETS', () => {
  it('reads only the named bouquets, numbers channels in their order and records a missing one', async () => {
    const [, austria, sport] = tvBouquets();
    // Names are matched case-insensitively; the order of the list is the numbering order.
    const catalog = await start({
      E2GATE_BOUQUETS: `${sport!.name.toUpperCase()}, No Such Bouquet ,${austria!.name.toLowerCase()}`,
    });
    expect((await catalog.startup).ok).toBe(true);

    const meta = await catalog.request(Subject.CatalogGetMeta, {});
    expect(meta.partialFailures).toContainEqual(
      expect.objectContaining({ scope: 'bouquet', name: 'No Such Bouquet', code: ErrorCode.NotFound }),
    );
    expect(meta.partialFailures?.filter((failure) => failure.scope === 'bouquet')).toHaveLength(1);

    const { bouquets, channels } = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    expect(bouquets.map((bouquet) => bouquet.name)).toEqual([sport!.name, austria!.name]);
    const selected = { ...bed.sim.dataset, bouquets: [sport!, austria!] };
    expect(channels).toHaveLength(expectedChannelCount(selected));
    expect(new Set(channels.filter((c) => c.kind === 'dvb').map((c) => c.ref))).toEqual(
      expectedChannels(selected).dvb,
    );

    // Sequential numbers (channels without a receiver LCN) run through the first listed bouquet, then the next.
    const [firstId, secondId] = bouquets.map((bouquet) => bouquet.id);
    const sequential = channels.filter((channel) => channel.lcn === undefined);
    const numbersOf = (bouquetId: string | undefined) =>
      sequential.filter((channel) => channel.bouquetIds[0] === bouquetId).map((channel) => channel.number);
    expect(numbersOf(firstId).length).toBeGreaterThan(0);
    expect(numbersOf(secondId).length).toBeGreaterThan(0);
    expect(Math.max(...numbersOf(firstId))).toBeLessThan(Math.min(...numbersOf(secondId)));
  });
});

describe('a channel whose EPG fails', () => {
  it('keeps its channel entry and is recorded as an EPG partial failure', async () => {
    const expected = expectedChannels(bed.sim.dataset);
    // Not a member of an alternatives group (whose EPG the box reads from its member, so it would fail too).
    const grouped = new Set(
      bed.sim.dataset.bouquets
        .flatMap((bouquet) => bouquet.entries)
        .flatMap((entry) => (entry.kind === 'alternatives' ? entry.group.entries.map((m) => m.ref) : [])),
    );
    const [victim, healthy] = bed.sim.dataset.channels.filter(
      (channel) =>
        channel.counted && channel.hasEpg && expected.dvb.has(channel.ref) && !grouped.has(channel.ref),
    );
    await bed.sim.setFaults({ failingEpg: [victim!.ref] });
    const catalog = await start({ E2GATE_RECEIVER_RETRIES: '1' });
    expect((await catalog.startup).ok).toBe(true);

    const meta = await catalog.request(Subject.CatalogGetMeta, {});
    expect(meta.counts!.channels).toBe(expectedChannelCount(bed.sim.dataset));
    const { channels } = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    const failed = channels.find((channel) => channel.ref === victim!.ref);
    const fine = channels.find((channel) => channel.ref === healthy!.ref);
    expect(failed, 'the channel stays').toBeDefined();
    expect(meta.partialFailures?.filter((failure) => failure.scope === 'epg')).toEqual([
      expect.objectContaining({ target: failed!.id, code: ErrorCode.ReceiverHttpError }),
    ]);

    const window = { from: NOW - 3600, to: NOW + 86_400, limit: 2000 };
    const none = await catalog.request(Subject.CatalogGetEpg, { channelIds: [failed!.id], ...window });
    const some = await catalog.request(Subject.CatalogGetEpg, { channelIds: [fine!.id], ...window });
    expect(none).toMatchObject({ events: [], unknownChannelIds: [] });
    expect(some.events.length).toBeGreaterThan(0);
  });
});

describe('E2GATE_REFRESH_INTERVAL', () => {
  it('refreshes again on its own after the interval', async () => {
    const started = performance.now();
    const catalog = await start({ E2GATE_REFRESH_INTERVAL: '2s' });
    const first = await catalog.startup;
    expect(first.ok).toBe(true);
    bed.sim.resetStats();

    // Nothing else triggers a refresh: the next outcome is the scheduled one.
    const scheduled = await nextRefreshOutcome(catalog.nc, 15_000);
    expect(scheduled).toMatchObject({ ok: true, event: { changed: false } });
    expect(scheduled.event.refreshId).not.toBe(first.event.refreshId);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(bed.sim.stats().endpoints['/api/bouquets']).toEqual({ ok: 1 });
  });
});
