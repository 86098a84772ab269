import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, nkeyAuthenticator, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket, CatalogLockKey, CatalogMetaKey, JobStream, Subject } from '@e2gate/contracts';
import {
  catalogStorage,
  ensureNatsIdentities,
  jobStorage,
  provisionStorage,
  transcoderStorage,
  webSessionStorage,
  type NatsRole,
  type StorageSpec,
} from '@e2gate/nats';
import { connectAs, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

// Least-privilege NATS users (ADR 0032) on a real nats-server: each service may do its own work and nothing of
// another's. A refused publish is proven by order: the same connection's next, allowed message arrives first.

const MiB = 1024 * 1024;
const FORGED = 'forged';

let nats: RunningNatsServer;
const connections: NatsConnection[] = [];

async function as(role: NatsRole): Promise<NatsConnection> {
  const nc = await connectAs(nats.url, role);
  connections.push(nc);
  return nc;
}

async function provisionAs(role: NatsRole, specs: StorageSpec[]): Promise<void> {
  const nc = await as(role);
  const managers = { kvm: new Kvm(nc), objm: new Objm(nc), jsm: await jetstreamManager(nc) };
  expect(await provisionStorage(managers, specs)).toEqual([]);
}

/** Subscribes as `observer` to both subjects; resolves with the subjects received, once `marker` arrives. */
async function receivedUntil(observer: NatsConnection, watched: string, marker: string): Promise<string[]> {
  const seen: string[] = [];
  let arrived!: () => void;
  const done = new Promise<void>((resolve) => (arrived = resolve));
  for (const subject of [watched, marker]) {
    observer.subscribe(subject, {
      callback: (_error, msg) => {
        seen.push(msg.subject);
        if (msg.subject === marker) arrived();
      },
    });
  }
  await observer.flush();
  return done.then(() => seen);
}

beforeAll(async () => {
  nats = await startNatsServer();
  // Each service provisions its own storage with its own user, as the apps do at start.
  const jobs = jobStorage({ retentionMs: 3_600_000, artifactMaxBytes: 64 * MiB, queueMaxMessages: 100 });
  await provisionAs('catalog', catalogStorage({ refreshLeaseMs: 30_000 }));
  await provisionAs('transcoder', [
    ...transcoderStorage({ heartbeatMs: 1000, hls: { ttlMs: 60_000, maxBytes: 64 * MiB } }),
    ...jobs,
  ]);
  await provisionAs('gateway', [...jobs, ...webSessionStorage({ ttlMs: 60_000, maxSessions: 100 })]);
  const catalog = await as('catalog');
  await (await new Kvm(catalog).open(Bucket.CatalogMeta)).put(CatalogMetaKey.Current, '{"version":"v1"}');
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await nats?.stop();
});

describe('NATS users', () => {
  it('refuses a client without credentials, and one whose key the server does not know', async () => {
    await expect(connect({ servers: nats.url })).rejects.toThrow(/Authorization Violation/);
    const stranger = nkeys.createUser().getSeed();
    await expect(connect({ servers: nats.url, authenticator: nkeyAuthenticator(stranger) })).rejects.toThrow(
      /Authorization Violation/,
    );
  });

  it('keeps each identity across starts, with the seed readable by its owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2gate-ids-'));
    try {
      const first = await ensureNatsIdentities(dir);
      const second = await ensureNatsIdentities(dir);
      expect(second.map((identity) => identity.publicKey)).toEqual(
        first.map((identity) => identity.publicKey),
      );
      expect(new Set(first.map((identity) => identity.publicKey)).size).toBe(first.length);
      for (const identity of first) {
        expect(statSync(identity.seedFile).mode & 0o777).toBe(0o600);
        expect(statSync(join(dir, identity.role)).mode & 0o777).toBe(0o700);
      }
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("lets the gateway read the catalog's buckets but not write them: no forged playlist, no planted lock", async () => {
    const gateway = await as('gateway');
    const meta = await new Kvm(gateway).open(Bucket.CatalogMeta);
    expect((await meta.get(CatalogMetaKey.Current))?.string()).toBe('{"version":"v1"}');

    await expect(meta.put(CatalogMetaKey.Current, FORGED)).rejects.toThrow(/Permissions Violation/);
    await expect(
      (await new Kvm(gateway).open(Bucket.CatalogLock)).create(CatalogLockKey.Refresh, FORGED),
    ).rejects.toThrow(/Permissions Violation/);
    await expect(
      (await new Objm(gateway).open(Bucket.Catalog)).putBlob({ name: 'snapshot-x' }, new Uint8Array(8)),
    ).rejects.toThrow();
    await expect(
      (await jetstreamManager(gateway)).streams.purge(`KV_${Bucket.CatalogMeta}`),
    ).rejects.toThrow();

    const admin = await as('admin');
    expect(
      (await (await new Kvm(admin).open(Bucket.CatalogMeta)).get(CatalogMetaKey.Current))?.string(),
    ).toBe('{"version":"v1"}');
    expect(
      nats.violations().some((line) => line.includes(`$KV.${Bucket.CatalogMeta}.${CatalogMetaKey.Current}`)),
    ).toBe(true);
  });

  it('lets only the catalog answer catalog queries and only a transcoder answer transcoder commands', async () => {
    for (const role of ['gateway', 'transcoder', 'events'] as const) {
      const intruder = await as(role);
      const queries = intruder.subscribe(Subject.CatalogGetChannels, { queue: 'catalog' });
      expect(String(await queries.closed)).toMatch(/Permissions Violation for Subscription/);
    }
    for (const role of ['gateway', 'catalog', 'events'] as const) {
      const intruder = await as(role);
      const opens = intruder.subscribe(Subject.TranscoderCmdSessionOpen, { queue: 'transcoder' });
      expect(String(await opens.closed)).toMatch(/Permissions Violation for Subscription/);
    }
    const catalog = await as('catalog');
    const answering = catalog.subscribe(Subject.CatalogGetMeta, {
      queue: 'catalog',
      callback: (_error, msg) => void msg.respond('{"ok":true}'),
    });
    await catalog.flush();
    const gateway = await as('gateway');
    expect((await gateway.request(Subject.CatalogGetMeta, '{}', { timeout: 5000 })).string()).toBe(
      '{"ok":true}',
    );
    answering.unsubscribe();
  });

  it('drops events and stream data published by a service that does not own them', async () => {
    const observer = await as('admin');
    const gateway = await as('gateway');
    const seenByGateway = receivedUntil(observer, Subject.CatalogEvtRefreshed, Subject.CatalogCmdRefresh);
    gateway.publish(Subject.CatalogEvtRefreshed, '{"forged":true}');
    gateway.publish(Subject.CatalogCmdRefresh, '{}');
    expect(await seenByGateway).toEqual([Subject.CatalogCmdRefresh]);

    const catalog = await as('catalog');
    const seenByCatalog = receivedUntil(observer, 'stream.data.s1', Subject.CatalogEvtRefreshFailed);
    catalog.publish('stream.data.s1', new Uint8Array(188));
    catalog.publish(Subject.CatalogEvtRefreshFailed, '{}');
    expect(await seenByCatalog).toEqual([Subject.CatalogEvtRefreshFailed]);
  });

  it('keeps the work queue to transcoders: the gateway enqueues jobs but cannot take them', async () => {
    const gateway = await as('gateway');
    const jsm = await jetstreamManager(gateway);
    await expect(
      jsm.consumers.add(JobStream.Jobs, { durable_name: 'thief', ack_policy: 'explicit' }),
    ).rejects.toThrow();
    const transcoder = await as('transcoder');
    const consumer = await (
      await jetstreamManager(transcoder)
    ).consumers.add(JobStream.Jobs, { durable_name: 'worker', ack_policy: 'explicit' });
    expect(consumer.name).toBe('worker');
    await expect(
      new Kvm(transcoder).open(Bucket.CatalogMeta).then((kv) => kv.put('current', FORGED)),
    ).rejects.toThrow(/Permissions Violation/);
  });

  it('gives subscribers of the public events their events and nothing else', async () => {
    const events = await as('events');
    const refreshed = new Promise<string>((resolve) =>
      events.subscribe(Subject.CatalogEvtRefreshed, { callback: (_error, msg) => resolve(msg.string()) }),
    );
    await events.flush();
    (await as('catalog')).publish(Subject.CatalogEvtRefreshed, '{"refreshId":"r1"}');
    expect(await refreshed).toBe('{"refreshId":"r1"}');

    const commands = events.subscribe(Subject.CatalogCmdRefresh);
    expect(String(await commands.closed)).toMatch(/Permissions Violation for Subscription/);
    const meta = await new Kvm(events).open(Bucket.CatalogMeta);
    await expect(meta.get(CatalogMetaKey.Current)).rejects.toThrow(/Permissions Violation/);
    const observer = await as('admin');
    const seen = receivedUntil(observer, Subject.CatalogCmdRefresh, 'jobs.evt.marker.done');
    events.publish(Subject.CatalogCmdRefresh, '{}');
    await events.flush();
    (await as('transcoder')).publish('jobs.evt.marker.done', '{}');
    expect(await seen).toEqual(['jobs.evt.marker.done']);
  });
});
