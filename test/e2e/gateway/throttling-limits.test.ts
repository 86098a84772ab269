import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../../support/nats-events.js';
import {
  ADMIN_TOKEN,
  bearer,
  READ_TOKEN,
  startGateway,
  STREAM_TOKEN,
  type GatewayUnderTest,
} from './support/gateway-harness.js';
import { call, metric, type Reply } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';
import { readStream, standInTranscoder } from './support/transcoder-stand-in.js';

let stack: Stack;
const extra: GatewayUnderTest[] = [];

beforeAll(async () => {
  stack = await startStack({ sim: { bouquets: 2, channels: 10, epgDays: 1 } });
}, 180_000);
afterAll(async () => {
  for (const gateway of extra) await gateway.close();
  await stack?.close();
});

async function gatewayWith(env: Record<string, string>): Promise<GatewayUnderTest> {
  const gateway = await startGateway({ natsUrl: stack.nats.url, env });
  extra.push(gateway);
  await gateway.follower.whenServing(stack.version);
  return gateway;
}

function expect429(reply: Reply): number {
  expect(reply.status, reply.text).toBe(429);
  expect(reply.json().code).toBe('RATE_LIMITED');
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  return retryAfter;
}

const throttled = async (gateway: GatewayUnderTest, limiter: string) =>
  metric((await call(`${gateway.url}/metrics`)).text, 'e2gate_gateway_throttled_requests_total', {
    limiter,
  }) ?? 0;

describe('throttling', () => {
  it('limits each client across the API and answers 429 with Retry-After; health and metrics are never throttled', async () => {
    const gateway = await gatewayWith({ E2GATE_RATE_LIMIT: '5', E2GATE_RATE_LIMIT_WINDOW: '1m' });
    const before = await throttled(gateway, 'api');
    const paths = ['/api/v1/status', '/playlist.m3u', '/api/v1/bouquets', '/lineup.json', '/xmltv.xml'];
    for (const path of paths)
      expect((await call(gateway.url + path, { headers: bearer(READ_TOKEN) })).status).toBe(200);
    const retryAfter = expect429(
      await call(`${gateway.url}/api/v1/channels`, { headers: bearer(READ_TOKEN) }),
    );
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect429(await call(`${gateway.url}/playlist.m3u`, { headers: bearer(READ_TOKEN) }));
    expect429(
      await call(`${gateway.url}/api/v1/status`, {
        headers: { ...bearer(READ_TOKEN), 'x-forwarded-for': '10.9.9.9' },
      }),
    );
    for (let i = 0; i < 30; i++) {
      for (const path of ['/healthz', '/readyz', '/metrics'])
        expect((await call(gateway.url + path)).status).toBe(200);
    }
    expect((await throttled(gateway, 'api')) - before).toBe(3);
  });

  it('tracks clients by X-Forwarded-For only behind a trusted proxy', async () => {
    const gateway = await gatewayWith({ E2GATE_RATE_LIMIT: '2', E2GATE_TRUST_PROXY: '127.0.0.1' });
    const as = (client: string) =>
      call(`${gateway.url}/api/v1/status`, { headers: { ...bearer(READ_TOKEN), 'x-forwarded-for': client } });
    expect((await as('10.0.0.1')).status).toBe(200);
    expect((await as('10.0.0.1')).status).toBe(200);
    expect429(await as('10.0.0.1'));
    expect((await as('10.0.0.2')).status).toBe(200);
  });

  it('limits POST /api/v1/catalog/refresh much more tightly, without touching the rest of the API', async () => {
    const gateway = await gatewayWith({
      E2GATE_REFRESH_RATE_LIMIT: '2',
      E2GATE_REFRESH_RATE_LIMIT_WINDOW: '10m',
    });
    const refresh = () =>
      call(`${gateway.url}/api/v1/catalog/refresh`, { method: 'POST', headers: bearer(ADMIN_TOKEN) });
    const first = await refresh();
    const second = await refresh();
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.json().refreshId).toBe(first.json().refreshId);
    expect(second.json().state).toBe('joined');
    expect(expect429(await refresh())).toBeGreaterThan(60);
    expect((await call(`${gateway.url}/api/v1/status`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
    expect(await throttled(gateway, 'refresh')).toBeGreaterThanOrEqual(1);
  });

  it('spends the refresh budget only on authorised callers: anonymous and wrong-token attempts cannot lock the admin out', async () => {
    const gateway = await gatewayWith({ E2GATE_REFRESH_RATE_LIMIT: '2', E2GATE_AUTH_FAILURE_LIMIT: '3' });
    const refresh = (headers: Record<string, string> = {}) =>
      call(`${gateway.url}/api/v1/catalog/refresh`, { method: 'POST', headers });
    const refreshThrottled = await throttled(gateway, 'refresh');
    const authThrottled = await throttled(gateway, 'auth');
    // From the admin's own address: anonymous attempts, a token without the scope, a wrong token.
    for (let i = 0; i < 5; i++) expect((await refresh()).status).toBe(401);
    expect((await refresh(bearer(READ_TOKEN))).status).toBe(403);
    expect((await refresh(bearer('wrong-token-0-0123456789abcdef'))).status).toBe(401);
    expect((await refresh(bearer(ADMIN_TOKEN))).status).toBe(202);
    expect((await refresh(bearer(ADMIN_TOKEN))).status).toBe(202);
    expect(expect429(await refresh(bearer(ADMIN_TOKEN)))).toBeGreaterThan(60);
    expect((await throttled(gateway, 'refresh')) - refreshThrottled).toBe(1);
    // Wrong tokens are brute force: the auth-failure limit (3) counts them, the 4th blocks.
    for (const i of [1, 2])
      expect((await refresh(bearer(`wrong-token-${i}-0123456789abcdef`))).status).toBe(401);
    expect429(await refresh(bearer('wrong-token-3-0123456789abcdef')));
    expect((await throttled(gateway, 'auth')) - authThrottled).toBe(1);
  });

  it('blocks a client after repeated bad credentials (brute force → 429), even when it then sends a good one', async () => {
    const gateway = await gatewayWith({ E2GATE_AUTH_FAILURE_LIMIT: '3', E2GATE_AUTH_FAILURE_WINDOW: '5m' });
    const guess = (token: string) => call(`${gateway.url}/api/v1/status`, { headers: bearer(token) });
    for (let i = 0; i < 3; i++) expect((await guess(`guess-${i}-0123456789abcdef`)).status).toBe(401);
    expect(expect429(await guess('guess-3-0123456789abcdef'))).toBeGreaterThan(200);
    expect429(await guess(READ_TOKEN));
    expect429(await call(`${gateway.url}/playlist.m3u?token=${READ_TOKEN}`));
    expect((await call(`${gateway.url}/healthz`)).status).toBe(200);
    gateway.clock.offsetMs = 6 * 60_000;
    expect((await guess(READ_TOKEN)).status).toBe(200);
    const metrics = (await call(`${gateway.url}/metrics`)).text;
    expect(
      metric(metrics, 'e2gate_gateway_auth_failures_total', { code: 'UNAUTHORIZED' }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      metric(metrics, 'e2gate_gateway_throttled_requests_total', { limiter: 'auth' }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('missing credentials alone never lock a client out (only wrong secrets count)', async () => {
    const gateway = await gatewayWith({ E2GATE_AUTH_FAILURE_LIMIT: '2' });
    for (let i = 0; i < 6; i++) expect((await call(`${gateway.url}/api/v1/status`)).status).toBe(401);
    expect((await call(`${gateway.url}/api/v1/status`, { headers: bearer(READ_TOKEN) })).status).toBe(200);
  });
});

describe('metrics', () => {
  it('count HTTP durations by route pattern and status (unmatched routes under one label)', async () => {
    await call(`${stack.gateway.url}/playlist.m3u`, { headers: bearer(READ_TOKEN) });
    await call(`${stack.gateway.url}/no/such/route/${Date.now()}`);
    const text = (await call(`${stack.gateway.url}/metrics`)).text;
    const count = (labels: Record<string, string>) =>
      metric(text, 'e2gate_gateway_http_request_duration_seconds_count', labels) ?? 0;
    expect(count({ method: 'GET', route: '/playlist.m3u', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('/no/such/route');
  });

  it('count live streams too, also those the viewer leaves (Fastify hooks never hear of those)', async () => {
    const channelId = stack.gateway.follower.current!.snapshot.channels[0]!.id;
    const streams = async (status: string) =>
      metric(
        (await call(`${stack.gateway.url}/metrics`)).text,
        'e2gate_gateway_http_request_duration_seconds_count',
        {
          method: 'GET',
          route: '/stream/:channelId',
          status,
        },
      ) ?? 0;
    /** Scrapes until `expected` holds (each scrape is awaited; no sleeping), at most `timeoutMs`. */
    const eventually = async (read: () => Promise<number>, expected: number, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      let value = await read();
      while (value !== expected && Date.now() < deadline) value = await read();
      expect(value).toBe(expected);
    };
    const nc = await connectNats(stack.nats.url);
    const transcoder = await standInTranscoder(nc, 'metrics-session');
    try {
      const before = await streams('200');
      const url = `${stack.gateway.url}/stream/${channelId}`;
      const whole = await readStream(url, bearer(STREAM_TOKEN), () => {
        transcoder.send(Buffer.alloc(188 * 8, 0x47));
        transcoder.end();
      });
      expect([whole.status, whole.body.length, whole.aborted]).toEqual([200, 188 * 8, false]);
      await eventually(() => streams('200'), before + 1);
      // A viewer who leaves mid-stream is counted when the connection closes.
      const left = await readStream(
        url,
        bearer(STREAM_TOKEN),
        () => transcoder.send(Buffer.alloc(188, 0x47)),
        188,
      );
      expect([left.status, left.aborted]).toEqual([200, true]);
      await eventually(() => streams('200'), before + 2);
      const buckets = (await call(`${stack.gateway.url}/metrics`)).text
        .split('\n')
        .filter(
          (line) =>
            line.startsWith('e2gate_gateway_http_request_duration_seconds_bucket{') &&
            line.includes('route="/stream/:channelId"'),
        );
      expect(buckets.length).toBeGreaterThan(0);
    } finally {
      transcoder.stop();
      // The server has dropped the stand-in's interest once the flush returns; closing alone races the next
      // request, which would then find a responder that never answers (504, not 503).
      await nc.flush();
      await nc.close();
    }
    // Without a transcoder the 503 is an ordinary reply, counted by the hook.
    const unavailable = await streams('503');
    expect(
      (await call(`${stack.gateway.url}/stream/${channelId}`, { headers: bearer(STREAM_TOKEN) })).status,
    ).toBe(503);
    await eventually(() => streams('503'), unavailable + 1);
  });

  it('can move to their own port, and are then gone from the public one', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const gateway = await gatewayWith({ E2GATE_METRICS_PORT: String(port) });
    const own = await call(`http://127.0.0.1:${port}/metrics`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('e2gate_gateway_catalog_age_seconds');
    const publicPort = await call(`${gateway.url}/metrics`);
    expect(publicPort.status).toBe(404);
    expect(publicPort.json().code).toBe('NOT_FOUND');
  });
});

describe('request limits', () => {
  it('bounds bodies (413), content types (415) and JSON (400)', async () => {
    const post = (body: string, contentType = 'application/json') =>
      call(`${stack.gateway.url}/api/v1/catalog/refresh`, {
        method: 'POST',
        headers: { ...bearer(ADMIN_TOKEN), 'content-type': contentType },
        body,
      });
    const large = await post(JSON.stringify({ reason: 'x'.repeat(20_000) }));
    expect(large.status).toBe(413);
    expect(large.json().code).toBe('PAYLOAD_TOO_LARGE');
    const xml = await post('<reason/>', 'application/xml');
    expect(xml.status).toBe(415);
    expect(xml.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const text = await post('hello', 'text/plain');
    expect(text.status).toBe(400);
    expect(text.json().code).toBe('VALIDATION_FAILED');
    const broken = await post('{"reason":');
    expect(broken.status).toBe(400);
    expect(broken.json().code).toBe('BAD_REQUEST');
    const invalid = await post(JSON.stringify({ reason: 42 }));
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { reason: expect.any(Array) },
    });
  });

  it('bounds URL length (414) and parameter sizes (400)', async () => {
    const long = await call(`${stack.gateway.url}/api/v1/channels?bouquet=${'a'.repeat(5000)}`, {
      headers: bearer(READ_TOKEN),
    });
    expect(long.status).toBe(414);
    expect(long.json().code).toBe('URI_TOO_LONG');
    const wide = await call(`${stack.gateway.url}/api/v1/channels?bouquet=${'a'.repeat(300)}`, {
      headers: bearer(READ_TOKEN),
    });
    expect(wide.status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `c${i}-00000000`).join(',');
    const epg = await call(`${stack.gateway.url}/api/v1/epg?channel=${many}`, {
      headers: bearer(READ_TOKEN),
    });
    expect(epg.status).toBe(400);
  });
});
