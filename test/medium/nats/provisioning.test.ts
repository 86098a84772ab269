import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket } from '@e2gate/contracts';
import {
  catalogStorage,
  NatsModule,
  provisionStorage,
  transcoderStorage,
  type JetStreamManagers,
  type StreamSpec,
} from '@e2gate/nats';
import { connectNats } from '../../support/nats-events.js';
import { natsLink, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

// JetStream provisioning against a real nats-server (2.9: no per-message TTL): streams are created once and then
// left alone, buckets keep working beside them.

const NANOS_PER_MS = 1_000_000;

const jobs = (name: string, overrides: Partial<StreamSpec> = {}): StreamSpec => ({
  kind: 'stream',
  name,
  subjects: [`${name.toLowerCase()}.dispatch.>`],
  retention: 'workqueue',
  maxBytes: 64 * 1024 * 1024,
  maxAgeMs: 24 * 3_600_000,
  description: 'test work queue',
  ...overrides,
});

let nats: RunningNatsServer;
let nc: NatsConnection;
let managers: JetStreamManagers;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connectNats(nats.url);
  jsm = await jetstreamManager(nc);
  managers = { kvm: new Kvm(nc), objm: new Objm(nc), jsm };
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('provisionStorage', () => {
  it('creates a work-queue stream with the settings of its spec, on file storage', async () => {
    expect(await provisionStorage(managers, [jobs('JOBS_A')])).toEqual([]);
    const { config } = await jsm.streams.info('JOBS_A');
    expect(config).toMatchObject({
      subjects: ['jobs_a.dispatch.>'],
      retention: 'workqueue',
      storage: 'file',
      max_bytes: 64 * 1024 * 1024,
      max_age: 24 * 3_600_000 * NANOS_PER_MS,
      max_msgs: -1,
      description: 'test work queue',
    });
  });

  it('leaves an existing identical stream and its messages alone', async () => {
    await provisionStorage(managers, [jobs('JOBS_B')]);
    await jetstream(nc).publish('jobs_b.dispatch.default.batch', JSON.stringify({ jobId: 'j1', attempt: 1 }));
    const before = await jsm.streams.info('JOBS_B');

    expect(await provisionStorage(managers, [jobs('JOBS_B')])).toEqual([]);
    const after = await jsm.streams.info('JOBS_B');
    expect(after.created).toBe(before.created);
    expect(after.state.messages).toBe(1);
  });

  it('reports an existing stream with other settings and changes nothing, without failing', async () => {
    await provisionStorage(managers, [jobs('JOBS_C')]);
    const changed = jobs('JOBS_C', { retention: 'limits', maxMsgs: 1000 });

    expect(await provisionStorage(managers, [changed, jobs('JOBS_D')])).toEqual([
      { stream: 'JOBS_C', differences: ['retention: workqueue → limits', 'max_msgs: -1 → 1000'] },
    ]);
    expect((await jsm.streams.info('JOBS_C')).config).toMatchObject({ retention: 'workqueue', max_msgs: -1 });
    expect((await jsm.streams.info('JOBS_D')).config.retention).toBe('workqueue');
  });

  it('provisions the transcoder buckets with their TTLs beside a stream, and they work', async () => {
    const specs = [
      ...transcoderStorage({ heartbeatMs: 10_000, hls: { ttlMs: 600_000, maxBytes: 256 * 1024 ** 2 } }),
      jobs('JOBS_E'),
    ];
    expect(await provisionStorage(managers, specs)).toEqual([]);
    expect(await provisionStorage(managers, specs)).toEqual([]);

    const sessions = await managers.kvm.open(Bucket.Sessions);
    await sessions.put('das-erste-hd-3f9a2c01.aac', JSON.stringify({ node: 'n1' }));
    expect((await sessions.get('das-erste-hd-3f9a2c01.aac'))?.json()).toEqual({ node: 'n1' });
    expect((await sessions.status()).ttl).toBe(30_000);
    expect((await (await managers.kvm.open(Bucket.Nodes)).status()).ttl).toBe(30_000);

    const hls = await managers.objm.open(Bucket.Hls);
    await hls.putBlob({ name: 's1/1.ts' }, new Uint8Array([0x47, 1, 2, 3]));
    expect([...((await hls.getBlob('s1/1.ts')) ?? [])]).toEqual([0x47, 1, 2, 3]);
    expect((await hls.status()).ttl).toBe(600_000 * NANOS_PER_MS);
  });
});

describe('NatsModule', () => {
  it('provisions its storage when the app starts, and logs a stream with other settings instead of failing', async () => {
    await provisionStorage(managers, [jobs('JOBS_F')]);
    const warnings: string[] = [];
    const quiet = () => undefined;
    const app = await NestFactory.createApplicationContext(
      NatsModule.forRoot({
        link: natsLink(nats.url, 'admin'),
        role: 'admin',
        name: 'provisioning-test',
        storage: [...catalogStorage({ refreshLeaseMs: 30_000 }), jobs('JOBS_F', { retention: 'limits' })],
      }),
      { logger: { log: quiet, error: quiet, warn: (message: string) => warnings.push(message) } },
    );
    try {
      expect((await (await managers.kvm.open(Bucket.CatalogLock)).status()).ttl).toBe(120_000);
      expect((await (await managers.objm.open(Bucket.Catalog)).status()).bucket).toBe(Bucket.Catalog);
      expect((await jsm.streams.info('JOBS_F')).config.retention).toBe('workqueue');
      expect(warnings).toEqual([
        'stream JOBS_F exists with other settings and is left as it is: retention: workqueue → limits',
      ]);
    } finally {
      await app.close();
    }
  });
});
