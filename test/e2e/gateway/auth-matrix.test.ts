import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlSigner, type SignedScope } from '../../../apps/gateway/src/auth/url-signer.js';
import {
  ADMIN_TOKEN,
  bearer,
  READ_TOKEN,
  SIGNING_KEY,
  STREAM_ONLY_TOKEN,
  STREAM_TOKEN,
} from './support/gateway-harness.js';
import { call } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * Every route × every way of (not) being authenticated, over real HTTP against gateway + catalog + nats-server +
 * receiver simulator. "Authorised" means the request got past auth: 2xx, or for streams the fast 503 UNAVAILABLE
 * that says no transcoder runs yet.
 */
type Scope = 'read' | 'stream' | 'admin';
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  scope: Scope | 'public';
  /** `?token=` accepted (routes players open by URL). */
  player: boolean;
  /** Signed URLs accepted. */
  signable: boolean;
  /** What an authorised request answers when not 2xx (a DELETE of a session that does not exist: 404). */
  authorisedStatus?: number;
}

const signer = new UrlSigner(Buffer.from(SIGNING_KEY, 'utf8'));
const WRONG_SCOPE: Record<Scope, string> = {
  read: STREAM_ONLY_TOKEN,
  stream: READ_TOKEN,
  admin: STREAM_TOKEN,
};
const RIGHT_SCOPE: Record<Scope, string> = { read: READ_TOKEN, stream: STREAM_TOKEN, admin: ADMIN_TOKEN };

/** The HDHomeRun routes; each also exists under `/hdhr/<device key>/`. */
const HDHR_ROUTES: [Route['method'], string][] = [
  ['GET', '/discover.json'],
  ['GET', '/lineup.json'],
  ['GET', '/lineup_status.json'],
  ['GET', '/device.xml'],
  ['POST', '/lineup.post?scan=start'],
  ['GET', '/lineup.post?scan=start'],
];
const DEVICE_KEY = signer.deviceKey();
/**
 * HLS playlist links: public to the guard, opened only by the capability in their path (written by the gateway into
 * the playlists of `/hls/<channel>/index.m3u8`); no token opens them.
 */
const CAPABILITY_ROUTES = [
  '/hls/{channelId}/s/{sessionId}/{viewer}/{exp}/{sig}/{playlist}',
  '/hls/{channelId}/s/{sessionId}/{viewer}/{exp}/{sig}/{rendition}/{segment}',
];

const NO_JOB = 'job_00000000000000000000000000';

let stack: Stack;
let routes: Route[];

beforeAll(async () => {
  stack = await startStack({
    gatewayEnv: {
      E2GATE_RATE_LIMIT: '100000',
      E2GATE_REFRESH_RATE_LIMIT: '10000',
      E2GATE_AUTH_FAILURE_LIMIT: '100000',
    },
  });
  const channel = stack.gateway.follower.current!.snapshot.channels.find((c) => c.picon !== null)!;
  const route = (
    method: Route['method'],
    path: string,
    scope: Route['scope'],
    player = false,
    signable = false,
    authorisedStatus?: number,
  ) => ({
    method,
    path,
    scope,
    player,
    signable,
    authorisedStatus,
  });
  routes = [
    route('GET', '/healthz', 'public'),
    route('GET', '/readyz', 'public'),
    route('GET', '/metrics', 'public'),
    route('GET', '/openapi.json', 'public'),
    route('GET', '/docs', 'public'),
    route('GET', '/playlist.m3u', 'read', true),
    route('GET', '/xmltv.xml', 'read', true, true),
    route('GET', '/xmltv.xml.gz', 'read', true, true),
    // Picon URLs in documents are signed: `?token=` is not accepted there.
    route('GET', `/picons/${channel.picon}.png`, 'read', false, true),
    route('GET', `/stream/${channel.id}`, 'stream', true, true),
    route('GET', `/hls/${channel.id}/index.m3u8`, 'stream', true, true),
    route('GET', '/api/v1/bouquets', 'read'),
    route('GET', '/api/v1/channels', 'read'),
    route('GET', `/api/v1/channels/${channel.id}`, 'read'),
    route('GET', `/api/v1/epg?channel=${channel.id}`, 'read'),
    route('GET', '/api/v1/epg/search?q=tagesschau', 'read'),
    route('GET', '/api/v1/epg/now-next', 'read'),
    route('GET', '/api/v1/status', 'read'),
    route('GET', '/api/v1/recordings', 'read'),
    // Past auth, an id no recording has is a 404.
    route('GET', '/api/v1/recordings/0123456789abcdef', 'read', false, false, 404),
    route('POST', '/api/v1/catalog/refresh', 'admin'),
    route('GET', '/api/v1/sessions', 'admin'),
    // No transcoder runs here: getting past auth means the 404 of a session that does not exist.
    route('DELETE', '/api/v1/sessions/no-such-session', 'admin', false, false, 404),
    route('GET', '/api/v1/nodes', 'admin'),
    route('GET', '/api/v1/status/events', 'admin'),
    // No E2GATE_SETTINGS_FILE here: past auth, a reload has nothing to read (422); the level is read back.
    route('POST', '/api/v1/admin/reload', 'admin', false, false, 422),
    route('GET', '/api/v1/admin/log-level', 'admin'),
    // The web app's sign-in checks the token it is given itself.
    route('GET', '/api/v1/auth/session', 'public'),
    route('POST', '/api/v1/auth/session', 'public', false, false, 400),
    route('DELETE', '/api/v1/auth/session', 'public', false, false, 204),
    route('GET', '/api/v1/jobs', 'stream'),
    // Past auth, a submit without a body is a 400, a job or artefact id nothing has a 404.
    route('POST', '/api/v1/jobs', 'stream', false, false, 400),
    route('GET', `/api/v1/jobs/${NO_JOB}`, 'stream', false, false, 404),
    route('GET', `/api/v1/jobs/${NO_JOB}/events`, 'stream', false, false, 404),
    route('DELETE', `/api/v1/jobs/${NO_JOB}`, 'stream', false, false, 404),
    route('POST', `/api/v1/jobs/${NO_JOB}/retry`, 'stream', false, false, 404),
    route('GET', '/api/v1/artifacts/art_00000000000000000000000000', 'stream', false, true, 404),
    // Past auth, an upload that is not `video/mp2t` is a 415.
    route('POST', '/api/v1/artifacts', 'stream', false, false, 415),
    ...HDHR_ROUTES.map(([method, path]) => route(method, path, 'read', true, true)),
  ];
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

function withQuery(path: string, query: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

function pathOnly(path: string): string {
  return path.split('?')[0]!;
}

/** One request; an event stream (which never ends) is answered by its head alone. */
async function send(route: Route, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(stack.gateway.url + path, {
    method: route.method,
    headers,
    redirect: 'manual',
  });
  const streaming = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  if (streaming) await response.body?.cancel();
  const text = streaming ? '' : await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

type Reply = Awaited<ReturnType<typeof call>>;

function signedQuery(route: Route, exp: number | null): string {
  return signer.query(route.scope as SignedScope, pathOnly(route.path), exp);
}

function expectAuthorised(route: Route, reply: Reply): void {
  if (route.scope === 'stream' && route.authorisedStatus === undefined && !route.path.startsWith('/api/')) {
    expect(reply.status, reply.text).toBe(503);
    expect(reply.json().code).toBe('UNAVAILABLE');
    return;
  }
  if (route.authorisedStatus !== undefined) {
    expect(reply.status, `${route.method} ${route.path}: ${reply.text.slice(0, 200)}`).toBe(
      route.authorisedStatus,
    );
    const codes: Record<number, string> = {
      400: 'VALIDATION_FAILED',
      404: 'NOT_FOUND',
      415: 'UNSUPPORTED_MEDIA_TYPE',
      422: 'SETTINGS_INVALID',
    };
    expect(reply.json().code).toBe(codes[route.authorisedStatus]);
    return;
  }
  expect([200, 202], `${route.method} ${route.path}: ${reply.status} ${reply.text.slice(0, 200)}`).toContain(
    reply.status,
  );
}

function expectRejected(reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  const body = reply.json<{ code: string; message: string; requestId: string }>();
  expect(body.code).toBe(code);
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.requestId).toBe(reply.headers.get('x-request-id'));
}

const cells = [
  'no token',
  'wrong scope',
  'right scope',
  'query token',
  'bad signature',
  'expired signature',
  'signed URL',
] as const;

describe('auth matrix', () => {
  it('covers every route of the OpenAPI document', async () => {
    const doc = (await call(`${stack.gateway.url}/openapi.json`)).json<{ paths: Record<string, object> }>();
    const tested = new Set([
      ...routes.map((route) =>
        pathOnly(route.path)
          .replace(/\/(stream|picons|channels|sessions|recordings|jobs|artifacts)\/.+$/, '/$1/x')
          .replace(/^\/hls\/[^/]+\//, '/hls/{channelId}/'),
      ),
      ...HDHR_ROUTES.map(([, path]) => `/hdhr/{key}${pathOnly(path)}`),
      ...CAPABILITY_ROUTES.map((path) => path.replace(/\/[^/]+$/, '/x')),
    ]);
    const normalised = Object.keys(doc.paths).map((path) =>
      path.replace(/^\/api\/v1\/jobs\/\{id\}.*$/, '/api/v1/jobs/x').replace(/\{[^}]+\}$/, 'x'),
    );
    expect(normalised.filter((path) => !tested.has(path))).toEqual([]);
  });

  it('HLS links: a forged capability is refused whatever token comes with it', async () => {
    const channel = stack.gateway.follower.current!.snapshot.channels[0]!;
    const link = `/hls/${channel.id}/s/${channel.id}-hls-0a1b2c3d/0123456789ab/4102444800/${'A'.repeat(32)}`;
    for (const path of [`${link}/v.m3u8`, `${link}/a0/12.ts`]) {
      for (const headers of [{}, bearer(RIGHT_SCOPE.stream), bearer(RIGHT_SCOPE.admin)]) {
        expectRejected(await call(stack.gateway.url + path, { headers }), 401, 'SIGNATURE_INVALID');
      }
    }
  });

  for (const cell of cells) {
    it(`${cell}: every route answers as its policy says`, async () => {
      for (const route of routes) {
        const nowSeconds = Math.floor(Date.now() / 1000);
        if (route.scope === 'public') {
          const reply = await send(route, route.path, cell === 'no token' ? {} : bearer(READ_TOKEN));
          expect(reply.status, `${route.method} ${route.path} ${cell}`).toBe(route.authorisedStatus ?? 200);
          continue;
        }
        const scope = route.scope;
        switch (cell) {
          case 'no token': {
            const reply = await send(route, route.path);
            expectRejected(reply, 401, 'UNAUTHORIZED');
            expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="e2gate"');
            break;
          }
          case 'wrong scope':
            expectRejected(await send(route, route.path, bearer(WRONG_SCOPE[scope])), 403, 'FORBIDDEN');
            break;
          case 'right scope':
            expectAuthorised(route, await send(route, route.path, bearer(RIGHT_SCOPE[scope])));
            break;
          case 'query token': {
            const reply = await send(route, withQuery(route.path, `token=${RIGHT_SCOPE[scope]}`));
            if (route.player) expectAuthorised(route, reply);
            else expectRejected(reply, 401, 'UNAUTHORIZED');
            break;
          }
          case 'bad signature': {
            const reply = await send(route, withQuery(route.path, `sig=${'A'.repeat(32)}`));
            if (route.signable) expectRejected(reply, 401, 'SIGNATURE_INVALID');
            else expectRejected(reply, 401, 'UNAUTHORIZED');
            break;
          }
          case 'expired signature': {
            if (scope === 'admin') {
              expectRejected(
                await send(route, withQuery(route.path, `exp=1&sig=${'B'.repeat(32)}`)),
                401,
                'UNAUTHORIZED',
              );
              break;
            }
            const reply = await send(route, withQuery(route.path, signedQuery(route, nowSeconds - 60)));
            if (route.signable) expectRejected(reply, 401, 'SIGNATURE_EXPIRED');
            else expectRejected(reply, 401, 'UNAUTHORIZED');
            break;
          }
          case 'signed URL': {
            if (scope === 'admin') break;
            const reply = await send(route, withQuery(route.path, signedQuery(route, nowSeconds + 600)));
            if (route.signable) expectAuthorised(route, reply);
            else expectRejected(reply, 401, 'UNAUTHORIZED');
            break;
          }
        }
      }
    });
  }

  describe('HDHomeRun routes under /hdhr/<device key>/', () => {
    const keyed = (key: string, path: string) => `/hdhr/${key}${path}`;
    const hdhr = (key: string, method: Route['method'], path: string, headers: Record<string, string> = {}) =>
      call(stack.gateway.url + keyed(key, path), { method, headers });

    it('a good key opens every HDHomeRun route without any other credential', async () => {
      for (const [method, path] of HDHR_ROUTES) {
        const reply = await hdhr(DEVICE_KEY, method, path);
        expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 200)}`).toBe(200);
      }
    });

    it('a forged key is 401 UNAUTHORIZED on every route', async () => {
      const forged = [
        'A'.repeat(32),
        `${DEVICE_KEY.slice(0, 31)}${DEVICE_KEY.endsWith('A') ? 'B' : 'A'}`,
        new UrlSigner(Buffer.from('another-signing-key-0123456789abcdef')).deviceKey(),
      ];
      for (const key of forged) {
        for (const [method, path] of HDHR_ROUTES) {
          const reply = await hdhr(key, method, path);
          expectRejected(reply, 401, 'UNAUTHORIZED');
          expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="e2gate"');
        }
      }
    });

    it('a key signed for another path or scope is no device key (401)', async () => {
      const channel = stack.gateway.follower.current!.snapshot.channels[0]!;
      const wrongPath = [
        signer.sign('stream', '/hdhr/lineup.json', null),
        signer.sign('stream', `/stream/${channel.id}`, null),
        signer.sign('read', '/hdhr', null),
        signer.sign('read', '/lineup.json', null),
      ];
      for (const key of wrongPath) {
        expect(key).not.toBe(DEVICE_KEY);
        for (const [method, path] of HDHR_ROUTES)
          expectRejected(await hdhr(key, method, path), 401, 'UNAUTHORIZED');
      }
    });

    it('the key opens the HDHomeRun routes and nothing else', async () => {
      for (const path of ['/playlist.m3u', '/xmltv.xml', '/api/v1/status', `/stream/x`, '/picons/a.png']) {
        expectRejected(await hdhr(DEVICE_KEY, 'GET', path), 404, 'NOT_FOUND');
      }
      // A signed URL is no substitute for the key, and the key is no signature.
      expectRejected(
        await send(
          routes.find((r) => r.path === '/lineup.json')!,
          `/lineup.json?sig=${DEVICE_KEY}`,
        ),
        401,
        'SIGNATURE_INVALID',
      );
      const lineupSig = signer.query('read', '/lineup.json', null);
      expectRejected(await hdhr('B'.repeat(32), 'GET', `/lineup.json?${lineupSig}`), 401, 'UNAUTHORIZED');
    });

    it('a Bearer header is judged first: a bad one is not rescued by a good key', async () => {
      expectRejected(
        await hdhr(DEVICE_KEY, 'GET', '/lineup.json', bearer('not-a-token-0123456789')),
        401,
        'UNAUTHORIZED',
      );
      expectAuthorised(
        { method: 'GET', path: '/lineup.json', scope: 'read', player: true, signable: false },
        await hdhr('C'.repeat(32), 'GET', '/lineup.json', bearer(READ_TOKEN)),
      );
    });
  });

  it('a signature for one path or scope opens nothing else', async () => {
    const [stream, picon] = [
      routes.find((r) => r.scope === 'stream')!,
      routes.find((r) => r.path.startsWith('/picons/'))!,
    ];
    const streamSig = signer.query('stream', pathOnly(stream.path), null);
    expectRejected(await send(picon, withQuery(picon.path, streamSig)), 401, 'SIGNATURE_INVALID');
    const readSig = signer.query('read', pathOnly(stream.path), null);
    expectRejected(await send(stream, withQuery(stream.path, readSig)), 401, 'SIGNATURE_INVALID');
  });

  it('the OpenAPI document and Swagger UI are public, whatever credentials come along', async () => {
    for (const headers of [{}, bearer('not-a-token-0123456789'), bearer(STREAM_ONLY_TOKEN)]) {
      const doc = await call(`${stack.gateway.url}/openapi.json`, { headers });
      expect(doc.status).toBe(200);
      expect(doc.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./), paths: expect.any(Object) });
      const ui = await call(`${stack.gateway.url}/docs`, { headers });
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
      expect(ui.text).toContain('swagger-ui');
    }
  });

  it('signed URLs written into the playlist work without any token, and expire with the clock', async () => {
    const playlist = await call(`${stack.gateway.url}/playlist.m3u`, { headers: bearer(STREAM_TOKEN) });
    const urls = playlist.text.split('\n').filter((line) => line.startsWith('http'));
    const logo = /tvg-logo="([^"]+)"/.exec(playlist.text)![1]!;
    const guide = /x-tvg-url="([^"]+)"/.exec(playlist.text)![1]!;
    expect((await call(logo)).headers.get('content-type')).toBe('image/png');
    expect((await call(guide)).status).toBe(200);
    const stream = await call(urls[0]!);
    expect(stream.json().code).toBe('UNAVAILABLE');
    const readOnly = await call(`${stack.gateway.url}/playlist.m3u`, { headers: bearer(READ_TOKEN) });
    const unsigned = readOnly.text.split('\n').find((line) => line.startsWith('http'))!;
    expect(unsigned).not.toContain('sig=');
    expectRejected(await call(unsigned), 401, 'UNAUTHORIZED');
  });
});
