import { Objm } from '@nats-io/obj';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket, ErrorCode, Subject, type Channel } from '@e2gate/contracts';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import { removeDir, startCatalog, type CatalogUnderTest } from '../../support/catalog-harness.js';
import { connectAs, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

const NOW_MS = Date.UTC(2026, 10, 21, 20, 15, 0);
const NOW = Math.floor(NOW_MS / 1000);

let nats: RunningNatsServer;
let sim: ReceiverSim;
let catalog: CatalogUnderTest;
let channels: Channel[];

beforeAll(async () => {
  nats = await startNatsServer();
  sim = await startReceiverSim({ bouquets: 2, channels: 12, epgDays: 3, seed: 5, now: () => NOW_MS });
  catalog = await startCatalog({
    natsUrl: nats.url,
    receiverUrl: sim.url,
    nowMs: NOW_MS,
    env: { E2GATE_EPG_DAYS: '3' },
  });
  expect((await catalog.startup).ok).toBe(true);
  channels = (await catalog.request(Subject.CatalogGetChannels, { limit: 1000 })).channels;
});

afterAll(async () => {
  await catalog?.close();
  if (catalog) removeDir(catalog.dataDir);
  await sim?.close();
  await nats?.stop();
});

describe('catalog queries over NATS', () => {
  it('answers now/next for the frozen instant', async () => {
    const withEpg = channels.filter((c) => c.kind === 'dvb');
    const reply = await catalog.request(Subject.CatalogGetNowNext, { channelIds: withEpg.map((c) => c.id) });
    expect(reply.at).toBe(NOW);
    const withNow = reply.items.filter((item) => item.now);
    expect(withNow.length).toBeGreaterThan(0);
    for (const item of withNow) {
      expect(item.now!.start).toBeLessThanOrEqual(NOW);
      expect(item.now!.stop).toBeGreaterThan(NOW);
      if (item.next) expect(item.next.start).toBeGreaterThanOrEqual(item.now!.stop);
      expect(item.now).not.toHaveProperty('description');
    }
  });

  it('searches case- and accent-insensitively', async () => {
    const { events } = await catalog.request(Subject.CatalogGetEpg, {
      channelIds: channels.slice(0, 50).map((c) => c.id),
      from: NOW,
      to: NOW + 3 * 86_400,
      limit: 2000,
    });
    const accented = events.find((e) => /[äöüÄÖÜß]/.test(`${e.title} ${e.description ?? ''}`));
    expect(accented, 'the simulator writes German text with umlauts').toBeDefined();
    const word = /\S*[äöüÄÖÜß]\S*/
      .exec(`${accented!.title} ${accented!.description ?? ''}`)![0]
      .replace(/[^\p{L}]/gu, '');
    const folded = word
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/ß/g, 'ss')
      .toUpperCase();
    const result = await catalog.request(Subject.CatalogGetSearch, { q: folded, limit: 200 });
    expect(result.events.length).toBeGreaterThan(0);
    expect(
      result.events.some((e) => e.id === accented!.id && e.channelId === accented!.channelId) ||
        result.truncated,
    ).toBe(true);
    for (let i = 1; i < result.events.length; i++)
      expect(result.events[i]!.start).toBeGreaterThanOrEqual(result.events[i - 1]!.start);
  });

  it('pages channel lists and filters by bouquet', async () => {
    const page = await catalog.request(Subject.CatalogGetChannels, { offset: 2, limit: 3 });
    expect(page.channels.map((c) => c.id)).toEqual(channels.slice(2, 5).map((c) => c.id));
    const bouquet = page.bouquets[0]!;
    const filtered = await catalog.request(Subject.CatalogGetChannels, {
      bouquet: bouquet.name,
      limit: 1000,
    });
    expect(filtered.channels.map((c) => c.id)).toEqual(
      channels.filter((c) => c.bouquetIds.includes(bouquet.id)).map((c) => c.id),
    );
    await expect(
      catalog.request(Subject.CatalogGetChannels, { bouquet: 'No such bouquet' }),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('rejects bad requests with stable codes and field details', async () => {
    await expect(
      catalog.request(Subject.CatalogGetEpg, { channelIds: [], from: 1, to: 0 } as never),
    ).rejects.toMatchObject({ code: ErrorCode.ValidationFailed, details: { channelIds: expect.any(Array) } });
    await expect(
      catalog.request(Subject.CatalogGetEpg, {
        channelIds: [channels[0]!.id],
        from: NOW,
        to: NOW + 30 * 86_400,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.RangeTooLarge });
    await expect(catalog.request(Subject.CatalogGetSearch, { q: 'x' })).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
    });
    await expect(
      catalog.request(Subject.CatalogGetChannels, { limit: 10, evil: true } as never),
    ).rejects.toMatchObject({ code: ErrorCode.ValidationFailed, details: { evil: expect.any(Array) } });
    const nc = await connectAs(nats.url);
    const reply = await nc.request(Subject.CatalogGetMeta, new TextEncoder().encode('{not json'), {
      timeout: 5000,
    });
    expect(reply.json()).toEqual({
      ok: false,
      error: { code: ErrorCode.BadRequest, message: 'payload is not valid JSON' },
    });
    await nc.close();
  });

  it('stores picons along the fallback chain and remembers misses', async () => {
    const nc = await connectAs(nats.url);
    const store = await new Objm(jetstream(nc)).open(Bucket.Picons);
    const objects = new Map((await store.list()).map((info) => [info.name, info]));
    const dvb = sim.dataset.channels.filter((c) => channels.some((mine) => mine.ref === c.ref));
    expect(dvb.some((c) => c.piconVia !== 'exact' && c.piconVia !== 'none')).toBe(true);
    for (const simChannel of dvb) {
      const mine = channels.find((c) => c.ref === simChannel.ref)!;
      if (simChannel.piconFile) {
        expect(mine.picon, simChannel.name).not.toBeNull();
        const png = await store.getBlob(`${mine.picon}.png`);
        expect(Buffer.from(png!).subarray(1, 4).toString()).toBe('PNG');
      } else {
        expect(mine.picon, simChannel.name).toBeNull();
        const key = mine.xmltvId.replace(/\.dvb$/, '');
        expect(objects.get(`${key}.png`)?.metadata?.['missing']).toBe('1');
      }
    }
    await nc.close();
  });

  it('exposes readiness and Prometheus metrics over HTTP', async () => {
    const base = await catalog.app.getUrl();
    const ready = await fetch(`${base.replace('[::1]', '127.0.0.1')}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { details: { snapshot: unknown } }).details.snapshot).toMatchObject({
      status: 'up',
      stale: false,
    });
    const metrics = await (await fetch(`${base.replace('[::1]', '127.0.0.1')}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^e2gate_catalog_channels\\{[^}]*\\} ${channels.length}$`, 'm'));
    expect(metrics).toMatch(
      /^e2gate_receiver_requests_total\{[^}]*endpoint="epgservice"[^}]*outcome="ok"[^}]*\} \d+/m,
    );
    expect(metrics).toMatch(/^e2gate_receiver_breaker_state\{[^}]*state="closed"[^}]*\} 1$/m);
  });
});

describe('refresh watchdog', () => {
  it('abandons a hanging refresh with REFRESH_TIMEOUT and keeps serving the channel list it published', async () => {
    const other = await startNatsServer();
    await sim.setFaults({ slowEpgMs: 60_000 });
    const hung = await startCatalog({
      natsUrl: other.url,
      receiverUrl: sim.url,
      nowMs: NOW_MS,
      env: { E2GATE_REFRESH_TIMEOUT: '1500ms', E2GATE_RECEIVER_TIMEOUT: '2m' },
    });
    try {
      const outcome = await hung.startup;
      expect(outcome).toMatchObject({ ok: false, event: { code: ErrorCode.RefreshTimeout } });
      expect(outcome.event.durationMs).toBeGreaterThanOrEqual(1500);
      // The channel list went out before the EPG hung (first start publishes as it goes): it stays served, stale.
      const meta = await hung.request(Subject.CatalogGetMeta, {});
      expect(meta).toMatchObject({
        present: true,
        stale: true,
        epgLoading: true,
        lastError: { code: ErrorCode.RefreshTimeout },
        refreshing: false,
      });
      expect(meta.counts!.channels).toBeGreaterThan(0);
      expect(meta.degraded).toContain('epg loading');
    } finally {
      await sim.resetFaults();
      await hung.close();
      removeDir(hung.dataDir);
      await other.stop();
    }
  });
});
