import { watch, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bucket,
  CatalogMetaKey,
  encodeSnapshot,
  snapshotDigest,
  snapshotObjectName,
  Subject,
  type CatalogMetaRecord,
  type CatalogSnapshot,
} from '@e2gate/contracts';
import { CatalogStateService } from '../../../apps/catalog/src/services/catalog-state.service.js';
import { RefreshCoordinator } from '../../../apps/catalog/src/services/refresh-coordinator.service.js';
import { SnapshotPublisher } from '../../../apps/catalog/src/services/snapshot-publisher.service.js';
import { startCatalog, nextRefreshOutcome, type CatalogUnderTest } from '../../support/catalog-harness.js';
import { connectNats } from '../../support/nats-events.js';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import { bearer, READ_TOKEN, startGateway, type GatewayUnderTest } from './support/gateway-harness.js';
import { call, metric } from './support/http.js';

// The catalog and the gateway while NATS crashes, loses its store, and holds forged or hostile snapshots: the data
// dir, the catalog's API and every gateway keep agreeing on one valid version, and readiness tells the truth.

let nats: RunningNatsServer;
let sim: ReceiverSim;
let gateway: GatewayUnderTest;
let catalog: CatalogUnderTest;

beforeAll(async () => {
  nats = await startNatsServer();
  sim = await startReceiverSim({ bouquets: 3, channels: 24, epgDays: 2 });
  gateway = await startGateway({ natsUrl: nats.url, env: { E2GATE_SNAPSHOT_MAX_MB: '16' } });
  catalog = await startCatalog({
    natsUrl: nats.url,
    receiverUrl: sim.url,
    env: { E2GATE_EPG_DAYS: '2', E2GATE_RECEIVER_RETRIES: '0' },
  });
  const outcome = await catalog.startup;
  if (!outcome.ok) throw new Error(`catalog refresh failed: ${outcome.event.message}`);
  await gateway.follower.whenServing(outcome.event.version, 60_000);
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await catalog?.close();
  await sim?.close();
  await nats?.stop();
});

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await delay(200);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

const catalogDir = () => join(catalog.dataDir, 'catalog');
const diskMeta = () => JSON.parse(readFileSync(join(catalogDir(), 'meta.json'), 'utf8')) as CatalogMetaRecord;
interface Readiness {
  status: string;
  info: Record<string, Record<string, unknown>>;
}
const readyz = async () => (await call(`${gateway.url}/readyz`)).json<Readiness>();
const playlistEntries = async () => {
  const reply = await call(`${gateway.url}/playlist.m3u`, { headers: bearer(READ_TOKEN) });
  expect(reply.status).toBe(200);
  return reply.text.split('\n').filter((line) => line.startsWith('#EXTINF')).length;
};

/** What each side serves: the gateway, the catalog's API, NATS's meta record and the data dir. */
async function versions() {
  const api = await catalog.request(Subject.CatalogGetMeta, {});
  const nc = await connectNats(nats.url);
  try {
    const entry = await (await new Kvm(jetstream(nc)).open(Bucket.CatalogMeta)).get(CatalogMetaKey.Current);
    return {
      gateway: gateway.follower.current?.version,
      api: api.version,
      nats: entry?.json<CatalogMetaRecord>().version,
      disk: diskMeta().version,
    };
  } finally {
    await nc.close();
  }
}

async function plant(snapshotBytes: Uint8Array, meta: Partial<CatalogMetaRecord>): Promise<void> {
  const nc = await connectNats(nats.url);
  try {
    const js = jetstream(nc);
    const objectName = meta.objectName as string;
    await (await new Objm(js).open(Bucket.Catalog)).putBlob({ name: objectName }, snapshotBytes);
    const current = (await (await new Kvm(js).open(Bucket.CatalogMeta)).get(CatalogMetaKey.Current))!;
    const forged = { ...current.json<CatalogMetaRecord>(), ...meta, refreshedAt: new Date().toISOString() };
    await (await new Kvm(js).open(Bucket.CatalogMeta)).put(CatalogMetaKey.Current, JSON.stringify(forged));
  } finally {
    await nc.close();
  }
}

describe('a publish cut short by a NATS crash and a lost store', () => {
  it('leaves the gateway, the API and the data dir on one version, and the next refresh publishes everywhere', async () => {
    const before = await versions();
    expect(new Set(Object.values(before)).size).toBe(1);

    // Change the receiver: one bouquet fails, so the next snapshot has other content.
    await sim.setFaults({ failingBouquets: [sim.dataset.bouquets.find((b) => b.kind === 'tv')!.name] });
    const known = new Set([before.disk]);
    // Kill NATS the moment the new snapshot file lands in the data dir, i.e. in the middle of the publish.
    const killed = new Promise<void>((resolve) => {
      const watcher = watch(catalogDir(), (_event, name) => {
        if (!name || !/^snapshot-[0-9a-f]+-[0-9a-f]+\.json\.gz$/.test(name)) return;
        if ([...known].some((version) => name.startsWith(`snapshot-${version}-`))) return;
        watcher.close();
        void nats.kill().then(resolve);
      });
    });
    const coordinator = catalog.app.get(RefreshCoordinator);
    await coordinator.request('test: publish cut short');
    await killed;
    await nats.restart({ wipeStore: true });
    await eventually('the cut-short refresh to end', async () => (coordinator.running ? undefined : true));

    const agreed = await eventually('agreement on one version', async () => {
      const now = await versions();
      return new Set(Object.values(now)).size === 1 && now.gateway ? now.gateway : undefined;
    });
    const meta = diskMeta();
    expect(existsSync(join(catalogDir(), meta.objectName))).toBe(true);
    expect(snapshotDigest(readFileSync(join(catalogDir(), meta.objectName)))).toBe(meta.digest);
    const api = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    expect(api.version).toBe(agreed);
    expect(await playlistEntries()).toBe(api.total);

    // The next refresh (the receiver still changed) publishes its version to every side.
    const outcome = nextRefreshOutcome(catalog.nc, 60_000);
    await catalog.request(Subject.CatalogCmdRefresh, { reason: 'after the crash' });
    const next = await outcome;
    expect(next.ok, JSON.stringify(next.event)).toBe(true);
    const version = next.ok ? next.event.version : '';
    await gateway.follower.whenServing(version, 30_000);
    expect(await versions()).toEqual({ gateway: version, api: version, nats: version, disk: version });
    expect(await playlistEntries()).toBe((await catalog.request(Subject.CatalogGetChannels, {})).total);
    await sim.resetFaults();
  });
});

describe('a refresh that fails while NATS is down', () => {
  it('stores its stale mark once NATS is back, and the gateway reports it', async () => {
    await sim.setFaults({ offline: true });
    await nats.kill();
    await catalog.app.get(RefreshCoordinator).request('test: fails while NATS is down');
    const state = catalog.app.get(CatalogStateService);
    const publisher = catalog.app.get(SnapshotPublisher);
    await eventually('a stale mark NATS could not take', async () =>
      state.meta?.stale && publisher.publicationPending ? true : undefined,
    );
    expect(diskMeta().stale).toBe(true);

    await nats.restart();
    await gateway.follower.whenMeta((meta) => meta?.stale === true, 60_000);
    const ready = await readyz();
    expect(ready.status).toBe('degraded');
    expect(ready.info['snapshot']).toMatchObject({
      status: 'degraded',
      stale: true,
      reason: expect.stringContaining('last refresh failed: RECEIVER_'),
    });
    await eventually('the catalog settled', async () => (publisher.publicationPending ? undefined : true));
    await sim.resetFaults();
  });
});

describe('a forged or hostile snapshot in NATS', () => {
  it('is refused by the gateway, which keeps serving the last valid one and says why; the catalog repairs NATS', async () => {
    const served = gateway.follower.current!.snapshot;
    const entries = await playlistEntries();
    const forged = structuredClone(served) as unknown as { channels: Record<string, unknown>[] };
    forged.channels[0]!['name'] = { injected: true };
    const bytes = await encodeSnapshot({
      ...(forged as unknown as CatalogSnapshot),
      epg: {}, // the gateway holds the head only
      version: 'f0f0f0f0f0f0f0f0',
    });
    const digest = snapshotDigest(bytes);
    await plant(bytes, {
      version: 'f0f0f0f0f0f0f0f0',
      objectName: snapshotObjectName('f0f0f0f0f0f0f0f0', digest),
      digest,
    });

    await gateway.follower.whenMeta(() => gateway.follower.rejected !== null, 30_000);
    expect(gateway.follower.current!.version).toBe(served.version);
    const ready = await readyz();
    expect(ready.status).toBe('degraded');
    expect(String(ready.info['snapshot']!['reason'])).toMatch(
      /snapshot f0f0f0f0f0f0f0f0 rejected: snapshot rejected: head: channels\.0\.name/,
    );
    for (const path of ['/playlist.m3u', '/xmltv.xml', '/lineup.json']) {
      expect((await call(`${gateway.url}${path}`, { headers: bearer(READ_TOKEN) })).status, path).toBe(200);
    }
    expect(await playlistEntries()).toBe(entries);
    const metrics = (await call(`${gateway.url}/metrics`)).text;
    expect(metric(metrics, 'e2gate_gateway_catalog_snapshots_rejected_total')).toBeGreaterThanOrEqual(1);

    // The catalog's periodic check finds a record it cannot serve and puts its own back.
    await catalog.app.get(SnapshotPublisher).reconcile();
    await gateway.follower.whenMeta(() => gateway.follower.rejected === null, 30_000);
    expect(JSON.stringify(await readyz())).not.toContain('rejected');
  });

  it('stops inflating a gzip bomb at E2GATE_SNAPSHOT_MAX_MB and keeps serving', async () => {
    const served = gateway.follower.current!.version;
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const digest = snapshotDigest(bomb);
    await plant(bomb, {
      version: 'b0b0b0b0b0b0b0b0',
      objectName: snapshotObjectName('b0b0b0b0b0b0b0b0', digest),
      digest,
    });
    await gateway.follower.whenMeta(() => gateway.follower.rejected?.version === 'b0b0b0b0b0b0b0b0', 30_000);
    expect(gateway.follower.rejected!.reason).toMatch(/line exceeds 16777216 bytes|inflates to more than/);
    expect(gateway.follower.current!.version).toBe(served);
    await catalog.app.get(SnapshotPublisher).reconcile();
    await gateway.follower.whenMeta(() => gateway.follower.rejected === null, 30_000);
  });
});

describe('a refresh that could not read most guides', () => {
  it('is served with the guides carried over and the gateway readiness says degraded with the reason', async () => {
    const { channels } = await catalog.request(Subject.CatalogGetChannels, { limit: 1000 });
    const dvb = channels.filter((channel) => channel.kind !== 'iptv');
    await sim.setFaults({
      failingEpg: dvb.slice(0, Math.ceil(dvb.length / 2)).map((channel) => channel.name),
    });
    const outcome = nextRefreshOutcome(catalog.nc, 60_000);
    await catalog.request(Subject.CatalogCmdRefresh, {});
    const result = await outcome;
    expect(result.ok).toBe(true);
    await gateway.follower.whenMeta(
      (meta) => !meta?.stale && (meta?.degraded ?? []).some((reason) => reason.includes('could not be read')),
      30_000,
    );
    const ready = await readyz();
    expect(ready.status).toBe('degraded');
    expect(String(ready.info['snapshot']!['reason'])).toMatch(/EPG of \d+ of \d+ channels could not be read/);
    const status = (await call(`${gateway.url}/api/v1/status`, { headers: bearer(READ_TOKEN) })).json<{
      catalog: { degraded: string[]; counts: { epgCarried: number } };
    }>();
    expect(status.catalog.degraded).toContainEqual(expect.stringContaining('could not be read'));
    expect(status.catalog.counts.epgCarried).toBeGreaterThan(0);
    await sim.resetFaults();
  });
});
