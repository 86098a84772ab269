import type { NatsConnection } from '@nats-io/transport-node';
import { Objm } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket, piconObjectName, type Channel } from '@e2gate/contracts';
import type { SimChannel } from '../../receiver-sim/index.js';
import { connectNats } from '../../support/nats-events.js';
import { bearer, READ_TOKEN } from './support/gateway-harness.js';
import { call, rawGet } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * `/picons/<name>.png` over HTTP against gateway + catalog + nats-server + simulator: the bytes are the receiver's,
 * conditional requests and cache headers work, and names the catalog knows to be missing are answered 404 at once.
 */
let stack: Stack;
let nc: NatsConnection;
/** Snapshot channels by the simulator channel they came from. */
let pairs: { sim: SimChannel; channel: Channel }[];

beforeAll(async () => {
  stack = await startStack({ sim: { bouquets: 2, channels: 24, epgDays: 1 } });
  nc = await connectNats(stack.nats.url);
  const byRef = new Map(stack.sim.dataset.channels.map((channel) => [channel.ref, channel]));
  pairs = stack.gateway.follower
    .current!.snapshot.channels.filter((channel) => channel.kind === 'dvb')
    .map((channel) => ({ sim: byRef.get(channel.ref)!, channel }))
    .filter((pair) => pair.sim !== undefined);
}, 180_000);
afterAll(async () => {
  await nc?.close();
  await stack?.close();
});

const picon = (name: string, headers: Record<string, string> = {}) =>
  rawGet(`${stack.gateway.url}/picons/${name}.png`, { ...bearer(READ_TOKEN), ...headers });

async function simPng(file: string): Promise<Buffer> {
  const reply = await fetch(`${stack.sim.url}/picon/${encodeURIComponent(file)}.png`);
  expect(reply.status).toBe(200);
  return Buffer.from(await reply.arrayBuffer());
}

const withPicon = () => pairs.filter((pair) => pair.sim.piconFile !== null && pair.channel.picon !== null);
/** Channels the receiver has no picon for: the catalog stored a negative entry under their picon name. */
const knownMisses = () => pairs.filter((pair) => pair.sim.piconFile === null);
const piconNameOf = (channel: Channel) => channel.xmltvId.replace(/\.dvb$/, '');

describe('/picons/<name>.png', () => {
  it('serves the simulator’s PNG byte for byte, with a strong ETag and Cache-Control', async () => {
    const served = withPicon().slice(0, 4);
    expect(served.length).toBeGreaterThan(1);
    for (const { sim, channel } of served) {
      const reply = await picon(channel.picon!);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('image/png');
      expect(reply.headers['cache-control']).toBe('private, max-age=86400');
      expect(reply.headers['etag']).toMatch(/^"[A-Za-z0-9_=-]+"$/);
      expect(reply.body.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(reply.body.equals(await simPng(sim.piconFile!)), channel.name).toBe(true);
    }
  });

  it('answers 304 on If-None-Match (strong, weak or in a list), 200 for another tag', async () => {
    const { channel } = withPicon()[0]!;
    const first = await picon(channel.picon!);
    const etag = first.headers['etag'] as string;
    for (const match of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await picon(channel.picon!, { 'if-none-match': match });
      expect(again.status, match).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers['etag']).toBe(etag);
      expect(again.headers['cache-control']).toBe('private, max-age=86400');
    }
    const other = await picon(channel.picon!, { 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);
    expect(other.body.equals(first.body)).toBe(true);
  });

  it('a known miss (the catalog’s negative entry) is 404 NOT_FOUND at once, every time', async () => {
    const misses = knownMisses();
    expect(misses.length).toBeGreaterThan(0);
    const store = await new Objm(nc).open(Bucket.Picons);
    for (const { channel } of misses.slice(0, 3)) {
      const name = piconNameOf(channel);
      expect(channel.picon).toBeNull();
      const info = await store.info(piconObjectName(name));
      expect(info?.metadata?.['missing'], name).toBe('1');
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        const reply = await call(`${stack.gateway.url}/picons/${name}.png`, { headers: bearer(READ_TOKEN) });
        const elapsedMs = performance.now() - started;
        expect(reply.status).toBe(404);
        expect(reply.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(name) });
        // No receiver, no store round trip to wait for: answered from the served snapshot.
        expect(elapsedMs).toBeLessThan(250);
      }
    }
  });

  it('a negative entry written for a picon the snapshot still lists is 404 too (read from the store)', async () => {
    // As if the receiver lost the logo after the snapshot was built: the catalog records a known miss.
    const unrequested = withPicon().slice(4); // the tests above fetched (and cached) the first four
    expect(unrequested.length).toBeGreaterThan(0);
    const { channel } = unrequested.at(-1)!;
    const store = await new Objm(nc).open(Bucket.Picons);
    await store.putBlob(
      { name: piconObjectName(channel.picon!), metadata: { missing: '1', checkedAt: String(Date.now()) } },
      new Uint8Array(),
    );
    for (let i = 0; i < 2; i++) {
      const reply = await call(`${stack.gateway.url}/picons/${channel.picon!}.png`, {
        headers: bearer(READ_TOKEN),
      });
      expect(reply.status).toBe(404);
      expect(reply.json().code).toBe('NOT_FOUND');
    }
  });

  it('takes Bearer or a signed URL, never ?token=', async () => {
    const { channel } = withPicon()[0]!;
    const viaToken = await call(`${stack.gateway.url}/picons/${channel.picon!}.png?token=${READ_TOKEN}`);
    expect(viaToken.status).toBe(401);
    expect(viaToken.json().code).toBe('UNAUTHORIZED');
  });
});
