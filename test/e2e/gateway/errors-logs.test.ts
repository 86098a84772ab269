import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlSigner } from '../../../apps/gateway/src/auth/url-signer.js';
import { nextRefreshOutcome } from '../../support/catalog-harness.js';
import {
  ADMIN_TOKEN,
  bearer,
  READ_TOKEN,
  SIGNING_KEY,
  STREAM_ONLY_TOKEN,
  STREAM_TOKEN,
} from './support/gateway-harness.js';
import { call, rawExchange } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

const RECEIVER_USER = 'simroot';
const RECEIVER_PASSWORD = 'receiver-Pa55word-never-logged';
const WRONG_TOKEN = 'wrong-token-guess-0123456789';
const signer = new UrlSigner(Buffer.from(SIGNING_KEY, 'utf8'));

let stack: Stack;
beforeAll(async () => {
  const auth = { user: RECEIVER_USER, password: RECEIVER_PASSWORD };
  stack = await startStack({
    sim: { bouquets: 2, channels: 8, epgDays: 1, faults: { auth } },
    // Credentials in the URL, the form most likely to leak into a log line.
    receiverUrlWithCredentials: auth,
    gatewayEnv: { E2GATE_AUTH_FAILURE_LIMIT: '1000', E2GATE_REFRESH_RATE_LIMIT: '1000', LOG_LEVEL: 'debug' },
    catalogEnv: { LOG_LEVEL: 'debug' },
  });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  call(stack.gateway.url + path, { headers });

describe('errors', () => {
  it('unknown routes are 4xx with {code, message, requestId}', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/api/v2/channels'],
      ['DELETE', '/nope'],
      ['GET', '/picons/'],
      ['GET', '/%'],
    ] as const) {
      const reply = await call(stack.gateway.url + path, { method, headers: bearer(ADMIN_TOKEN) });
      expect(reply.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(reply.status, `${method} ${path}`).toBeLessThan(500);
      const body = reply.json<{ code: string; message: string; requestId: string }>();
      expect(Object.keys(body).sort()).toEqual(['code', 'message', 'requestId']);
      expect(body.requestId).toBe(reply.headers.get('x-request-id'));
    }
  });

  it.each([
    ['DELETE', '/playlist.m3u', 'GET, HEAD'],
    ['PUT', '/api/v1/catalog/refresh', 'POST'],
    ['POST', '/api/v1/channels/das-erste-00000000', 'GET, HEAD'],
    ['PATCH', '/lineup.post', 'GET, HEAD, POST'],
  ])('%s on the existing route %s is 405 METHOD_NOT_ALLOWED with Allow: %s', async (method, path, allow) => {
    const reply = await call(stack.gateway.url + path, { method, headers: bearer(ADMIN_TOKEN) });
    expect(reply.status, reply.text).toBe(405);
    expect(reply.headers.get('allow')).toBe(allow);
    expect(reply.json()).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      requestId: reply.headers.get('x-request-id'),
    });
  });

  it('a request with two Host headers is 400 BAD_REQUEST (RFC 9112 §3.2)', async () => {
    const { host } = new URL(stack.gateway.url);
    const head = (hosts: string[]) =>
      `GET /healthz HTTP/1.1\r\n${hosts.map((value) => `Host: ${value}\r\n`).join('')}Connection: close\r\n\r\n`;
    const twice = await rawExchange(stack.gateway.url, head([host, 'evil.example']));
    expect(twice.status, twice.head).toBe(400);
    expect(JSON.parse(twice.body)).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'more than one Host header',
    });
    expect((await rawExchange(stack.gateway.url, head([host]))).status).toBe(200);
  });

  it('unknown fields in the refresh body are 400 VALIDATION_FAILED, naming them', async () => {
    const refresh = (body: string) =>
      call(`${stack.gateway.url}/api/v1/catalog/refresh`, {
        method: 'POST',
        headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
        body,
      });
    const reply = await refresh('{"reason":"new channels","force":true}');
    expect(reply.status, reply.text).toBe(400);
    expect(reply.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { force: [expect.stringContaining('should not exist')] },
    });
    expect((await refresh('{"reason":"new channels"}')).status).toBe(202);
  });

  it.each([
    ['/api/v1/channels?limit=abc', 'VALIDATION_FAILED'],
    ['/api/v1/channels?limit=0', 'VALIDATION_FAILED'],
    ['/api/v1/channels?limit=1&limit=2', 'VALIDATION_FAILED'],
    ['/api/v1/channels?offset=-1', 'VALIDATION_FAILED'],
    ['/api/v1/channels?bouquet=unknown', 'NOT_FOUND'],
    ['/api/v1/channels/NOT_AN_ID', 'VALIDATION_FAILED'],
    ['/api/v1/channels/unknown-channel-00000000', 'NOT_FOUND'],
    ['/api/v1/epg', 'VALIDATION_FAILED'],
    ['/api/v1/epg?channel=a,,b', 'VALIDATION_FAILED'],
    ['/api/v1/epg?channel=x-00000000&from=100&to=50', 'VALIDATION_FAILED'],
    ['/api/v1/epg?channel=x-00000000&from=0&to=2000000', 'RANGE_TOO_LARGE'],
    ['/api/v1/epg?channel=x-00000000&from=1e400', 'VALIDATION_FAILED'],
    ['/api/v1/epg/search?q=a', 'VALIDATION_FAILED'],
    ['/api/v1/epg/search', 'VALIDATION_FAILED'],
    ['/api/v1/epg/now-next?at=yesterday', 'VALIDATION_FAILED'],
    ['/picons/..%2F..%2Fetc%2Fpasswd.png', 'VALIDATION_FAILED'],
    ['/picons/logo.jpg', 'VALIDATION_FAILED'],
    ['/picons/no-such-picon.png', 'NOT_FOUND'],
    ['/stream/no-such-channel-00000000', 'NOT_FOUND'],
    ['/stream/..%2Fadmin', 'VALIDATION_FAILED'],
  ])('bad parameter %s → 4xx %s', async (path, code) => {
    const reply = await get(path, bearer(ADMIN_TOKEN));
    expect(reply.status, reply.text).toBeGreaterThanOrEqual(400);
    expect(reply.status, reply.text).toBeLessThan(500);
    expect(reply.json().code).toBe(code);
  });

  it('a body nested deeper than 32 levels is 400 VALIDATION_FAILED, not a stack overflow (500)', async () => {
    const reply = await call(`${stack.gateway.url}/api/v1/catalog/refresh`, {
      method: 'POST',
      headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
      body: `{"reason":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    });
    expect(reply.status, reply.text).toBe(400);
    expect(reply.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'invalid request: body nested deeper than 32 levels',
      requestId: reply.headers.get('x-request-id'),
    });
  });

  it('echoes a sane x-request-id and replaces a hostile one', async () => {
    const mine = await get('/nope', { 'x-request-id': 'trace-abc.123' });
    expect(mine.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(mine.json().requestId).toBe('trace-abc.123');
    const hostile = await get('/nope', { 'x-request-id': 'x "}{"level":60 <b>' });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    for (const kept of ['svc:42', 'x'.repeat(64)])
      expect((await get('/nope', { 'x-request-id': kept })).headers.get('x-request-id')).toBe(kept);
    const tooLong = await get('/nope', { 'x-request-id': 'x'.repeat(65) });
    expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(tooLong.json().requestId).toBe(tooLong.headers.get('x-request-id'));
  });
});

describe('logs', () => {
  it('never contain tokens, signatures, device keys, signing keys or receiver credentials (grep of every line)', async () => {
    const channel = stack.gateway.follower.current!.snapshot.channels.find((c) => c.picon)!;
    const pictureSig = signer.query('read', `/picons/${channel.picon}.png`, null);
    const streamSig = signer.query('stream', `/stream/${channel.id}`, Math.floor(Date.now() / 1000) + 600);
    const deviceKey = signer.deviceKey();
    const traffic: [string, Record<string, string>][] = [
      ['/playlist.m3u', bearer(STREAM_TOKEN)],
      [`/playlist.m3u?token=${READ_TOKEN}`, {}],
      [`/xmltv.xml?token=${WRONG_TOKEN}`, {}],
      [`/picons/${channel.picon}.png?${pictureSig}`, {}],
      [`/picons/${channel.picon}.png?sig=${'Z'.repeat(32)}`, {}],
      [`/stream/${channel.id}?${streamSig}`, {}],
      [`/stream/${channel.id}?token=${STREAM_ONLY_TOKEN}`, {}],
      [`/hdhr/${deviceKey}/discover.json`, {}],
      [`/hdhr/${deviceKey}/lineup.json`, {}],
      ['/api/v1/status', bearer(WRONG_TOKEN)],
      [
        '/api/v1/status',
        { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
      ],
      ['/api/v1/channels?limit=oops', bearer(ADMIN_TOKEN)],
    ];
    // The same secrets percent-encoded or in other spellings: Fastify decodes query names and path parameters, so
    // `?%74oken=` is a token and `/hdhr/%41…` a device key; what the logs write must not depend on the spelling.
    const keyWithFirstEncoded = `${percentEncoded(deviceKey.slice(0, 1))}${deviceKey.slice(1)}`;
    const encodedTraffic: [string, number][] = [
      [`/playlist.m3u?%74oken=${READ_TOKEN}`, 200],
      [`/playlist.m3u?${percentEncoded('token')}=${READ_TOKEN}&bouquet=1`, 404],
      [`/playlist.m3u?TOKEN=${ADMIN_TOKEN}`, 401],
      [`/xmltv.xml?To%6Ben=${WRONG_TOKEN}`, 401],
      [`/picons/${channel.picon}.png?%73ig=${pictureSig.slice(4)}`, 200],
      [`/stream/${channel.id}?${streamSig.replace('&sig=', '&%73ig=')}`, 503],
      [`/hdhr/${keyWithFirstEncoded}/lineup.json`, 200],
      [`/hdhr/${percentEncoded(deviceKey)}/discover.json`, 200],
      [`/HDHR/${deviceKey}/device.xml`, 404],
      [`/hdhr%2F${deviceKey}/device.xml`, 404],
    ];
    const mark = stack.gateway.logs.lines.length;
    for (const [path, headers] of traffic) expect((await get(path, headers)).status).toBeLessThan(600);
    for (const [path, status] of encodedTraffic) expect((await get(path)).status, path).toBe(status);
    const refresh = await call(`${stack.gateway.url}/api/v1/catalog/refresh`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(refresh.status).toBe(202);

    const everything = stack.gateway.logs.text;
    const recent = stack.gateway.logs.since(mark);
    // Not vacuous: the requests above were logged, with their query strings scrubbed.
    expect(recent.some((line) => line.includes('/playlist.m3u?token=[redacted]'))).toBe(true);
    expect(recent.some((line) => line.includes('/hdhr/[redacted]/lineup.json'))).toBe(true);
    expect(recent.some((line) => /"url":"\/picons\/[^"]+\?sig=\[redacted\]"/.test(line))).toBe(true);
    for (const logged of [
      '/playlist.m3u?%74oken=[redacted]"',
      '/playlist.m3u?TOKEN=[redacted]"',
      '/xmltv.xml?To%6Ben=[redacted]"',
      '.png?%73ig=[redacted]"',
      '&%73ig=[redacted]"',
      '"url":"/hdhr/[redacted]/discover.json"',
      '"url":"/HDHR/[redacted]/device.xml"',
    ])
      expect(
        recent.some((line) => line.includes(logged)),
        logged,
      ).toBe(true);
    // The catalog logged its configuration, receiver URL included — with the credentials taken out.
    expect(everything).toContain('catalog starting');
    expect(everything).toMatch(/"url":"http:\/\/\[redacted\]@127\.0\.0\.1:\d+"/);
    const secrets = [
      READ_TOKEN,
      STREAM_TOKEN,
      ADMIN_TOKEN,
      STREAM_ONLY_TOKEN,
      WRONG_TOKEN,
      SIGNING_KEY,
      deviceKey,
      pictureSig.slice(4),
      streamSig.split('sig=')[1]!,
      'Z'.repeat(32),
      RECEIVER_PASSWORD,
      Buffer.from(`${RECEIVER_USER}:${RECEIVER_PASSWORD}`).toString('base64'),
      Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64'),
    ];
    const decoded = percentDecoded(everything);
    for (const secret of secrets) {
      expect(everything.includes(secret), `a log line contains ${secret.slice(0, 6)}…`).toBe(false);
      expect(decoded.includes(secret), `a log line contains ${secret.slice(0, 6)}… percent-encoded`).toBe(
        false,
      );
    }
  });

  it('hold the length of what users type (search terms, refresh reasons), never the text, nor a hostile request id', async () => {
    const typed = 'Geheimnis Müller Zq7x';
    const refused = `refused-id-${'x'.repeat(60)}`;
    const mark = stack.gateway.logs.lines.length;
    const search = await get(`/api/v1/epg/search?q=${encodeURIComponent(typed)}&limit=5`, {
      ...bearer(ADMIN_TOKEN),
      'x-request-id': refused,
    });
    expect(search.status).toBe(200);
    // Until the catalog starts a refresh of its own for this request (not joins a running one, whose reason it
    // logged already); each outcome awaited means the catalog has written its log lines for that refresh.
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = nextRefreshOutcome(stack.catalog.nc, 60_000);
      const refresh = await call(`${stack.gateway.url}/api/v1/catalog/refresh`, {
        method: 'POST',
        headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
        body: JSON.stringify({ reason: typed }),
      });
      expect(refresh.status).toBe(202);
      await outcome;
      if (refresh.json().state === 'started') break;
    }

    const recent = stack.gateway.logs.since(mark);
    // Not vacuous: both requests were logged, with lengths where the text was.
    expect(recent.some((line) => line.includes('/api/v1/epg/search?q=[21 characters]&limit=5'))).toBe(true);
    expect(recent.some((line) => line.includes('reason of 21 characters'))).toBe(true);
    const written = percentDecoded(recent.join('\n'));
    for (const word of ['Geheimnis', 'Müller', 'Zq7x', refused])
      expect(written.includes(word), word).toBe(false);
  });
});

/** Every character as `%XX` (UTF-8 bytes). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
}

/** Decodes every run of `%XX` escapes it can (independent of the gateway's own decoder). */
function percentDecoded(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
