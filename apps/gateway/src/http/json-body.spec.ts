import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { JsonBody } from './json-body.js';

const value = { version: 'v1', items: [{ channelId: 'a', now: { title: 'Nachrichten "heute"' } }] };

describe('JsonBody', () => {
  it('holds the bytes JSON.stringify gives, as Fastify would send them', () => {
    const body = JsonBody.of(value);
    expect(body.bytes.toString('utf8')).toBe(JSON.stringify(value));
    expect(body.contentType).toBe('application/json; charset=utf-8');
  });

  it('has strong ETags that follow the bytes', () => {
    const body = JsonBody.of(value);
    expect(body.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(body.etagGzip).not.toBe(body.etag);
    expect(JsonBody.of(structuredClone(value)).etag).toBe(body.etag);
    expect(JsonBody.of({ ...value, version: 'v2' }).etag).not.toBe(body.etag);
  });

  it('compresses once, however many callers ask', async () => {
    const body = JsonBody.of(value);
    const [a, b] = await Promise.all([body.gzip(), body.gzip()]);
    expect(a).toBe(b);
    expect(await body.gzip()).toBe(a);
    expect(gunzipSync(a).equals(body.bytes)).toBe(true);
  });
});
