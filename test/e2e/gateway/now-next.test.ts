import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, READ_TOKEN } from './support/gateway-harness.js';
import { rawGet } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

/** `/api/v1/epg/now-next`: answers sent as serialised bytes, with ETags and gzip, in the shape the API documents. */
interface BriefEvent {
  id: number;
  start: number;
  stop: number;
  title: string;
}
interface NowNext {
  version: string;
  at: number;
  total: number;
  offset: number;
  limit: number;
  items: { channelId: string; now?: BriefEvent; next?: BriefEvent }[];
}

let stack: Stack;
// A pinned instant answers the same bytes every time (the answer at the present instant moves with the clock).
const at = Math.floor(Date.now() / 1000) + 600;

beforeAll(async () => {
  stack = await startStack({ sim: { bouquets: 2, channels: 20, epgDays: 1 } });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const get = (query: string, headers: Record<string, string> = {}) =>
  rawGet(`${stack.gateway.url}/api/v1/epg/now-next${query}`, { ...bearer(READ_TOKEN), ...headers });

describe('/api/v1/epg/now-next', () => {
  it('answers JSON: per channel the programme running at `at` and the one after it', async () => {
    for (const query of ['', `?at=${at}`]) {
      const reply = await get(query);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
      const answer = JSON.parse(reply.body.toString('utf8')) as NowNext;
      expect(answer.version).toBe(stack.version);
      expect(answer).toMatchObject({ offset: 0, limit: 500 });
      expect(answer.items.length).toBe(answer.total);
      expect(answer.items.filter((item) => item.now).length).toBeGreaterThan(10);
      const instant = answer.at;
      if (query) expect(instant).toBe(at);
      for (const { now, next } of answer.items) {
        if (now) expect(now.start <= instant && instant < now.stop).toBe(true);
        if (next) expect(next.start).toBeGreaterThanOrEqual(now?.stop ?? instant);
      }
    }
  });

  it('has a strong ETag: 304 on If-None-Match, gzip (with its own ETag) when accepted', async () => {
    const plain = await get(`?at=${at}`);
    const etag = plain.headers['etag'] as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(plain.headers['vary']).toBe('Accept-Encoding');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect((await get(`?at=${at}`)).headers['etag']).toBe(etag);
    const again = await get(`?at=${at}`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get(`?at=${at}`, { 'if-none-match': `"x", W/${etag}` })).status).toBe(304);
    expect((await get(`?at=${at + 7200}`, { 'if-none-match': etag })).status).toBe(200);

    const zipped = await get(`?at=${at}`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['etag']).not.toBe(etag);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    const zipped304 = await get(`?at=${at}`, {
      'accept-encoding': 'gzip',
      'if-none-match': zipped.headers['etag'] as string,
    });
    expect(zipped304.status).toBe(304);
  });

  it('sends a small answer uncompressed even to a client that accepts gzip', async () => {
    const all = JSON.parse((await get(`?at=${at}`)).body.toString('utf8')) as NowNext;
    const reply = await get(`?at=${at}&channel=${encodeURIComponent(all.items[0]!.channelId)}`, {
      'accept-encoding': 'gzip',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect((JSON.parse(reply.body.toString('utf8')) as NowNext).items).toEqual([all.items[0]]);
  });
});
