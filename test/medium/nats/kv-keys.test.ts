import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedKvKeys } from '@e2gate/nats';
import { connectAs, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

// storedKvKeys on a real nats-server: the keys a bucket holds, in one request, also while the bucket is being
// rewritten (what `kv.keys()` may wait on) and with entries lapsing by TTL.

let nats: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connectAs(nats.url, 'admin');
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('storedKvKeys', () => {
  it('lists the keys under a filter, deleted ones while their marker is stored', async () => {
    const kv = await new Kvm(nc).create('keys-plain', { history: 1 });
    await kv.put('s.one', '1');
    await kv.put('s.two', '2');
    await kv.put('h.index', '3');
    await kv.delete('s.two');
    const jsm = await jetstreamManager(nc);
    expect(await storedKvKeys(jsm, 'keys-plain', 's.>')).toEqual(['s.one', 's.two']);
    expect(await storedKvKeys(jsm, 'keys-plain')).toEqual(['h.index', 's.one', 's.two']);
    expect((await kv.get('s.two'))?.operation).toBe('DEL');
  });

  it('names each key once while every key is rewritten continuously and entries lapse', async () => {
    const kv = await new Kvm(nc).create('keys-busy', { history: 1, ttl: 1_000 });
    const jsm = await jetstreamManager(nc);
    let writing = true;
    const writer = (async () => {
      for (let round = 0; writing; round++) {
        await Promise.all(Array.from({ length: 20 }, (_, key) => kv.put(`s.${key}`, String(round))));
      }
    })();
    try {
      await new Promise((done) => setTimeout(done, 300));
      const every = Array.from({ length: 20 }, (_, key) => `s.${key}`).sort();
      // kv.keys() follows the rewrites: here it gave 39 to 99 names for these 20 keys, and ends only once it
      // catches up with the writer. storedKvKeys reads the stream's subject list once: each key once.
      for (let read = 0; read < 5; read++) expect(await storedKvKeys(jsm, 'keys-busy', 's.>')).toEqual(every);
    } finally {
      writing = false;
      await writer;
    }
  });
});
