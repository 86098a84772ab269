import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, READ_TOKEN, startGateway, type GatewayUnderTest } from './support/gateway-harness.js';
import { call } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

// The web app's sign-in (POST/GET/DELETE /api/v1/auth/session) over real HTTP against two gateway replicas on one
// nats-server: a cookie made on one works on the other at once, a sign-out on one ends it on both, the CSRF token
// guards every state-changing call made with the cookie, and wrong tokens count as failed authentications.

let stack: Stack;
let replica: GatewayUnderTest;

beforeAll(async () => {
  stack = await startStack({ gatewayEnv: { E2GATE_AUTH_FAILURE_LIMIT: '5', E2GATE_WEB_SESSION_TTL: '1h' } });
  replica = await startGateway({
    natsUrl: stack.nats.url,
    env: { E2GATE_AUTH_FAILURE_LIMIT: '5', E2GATE_WEB_SESSION_TTL: '1h' },
  });
  await replica.follower.whenServing(stack.version, 60_000);
}, 180_000);
afterAll(async () => {
  await replica?.close();
  await stack?.close();
});

interface SignedIn {
  cookie: string;
  csrfToken: string;
  setCookie: string;
}

async function signIn(url: string, token: string): Promise<SignedIn> {
  const reply = await call(`${url}/api/v1/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  expect(reply.status, reply.text).toBe(201);
  const setCookie = reply.headers.get('set-cookie')!;
  return {
    cookie: setCookie.split(';')[0]!,
    csrfToken: reply.json<{ csrfToken: string }>().csrfToken,
    setCookie,
  };
}

describe('web sessions', () => {
  it('sets a cookie with the flags, and the cookie is a credential on every replica at once', async () => {
    const session = await signIn(stack.gateway.url, ADMIN_TOKEN);
    expect(session.setCookie).toMatch(
      /^e2gate_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=3600; HttpOnly; SameSite=Strict$/,
    );
    for (const url of [replica.url, stack.gateway.url]) {
      const me = await call(`${url}/api/v1/auth/session`, { headers: { cookie: session.cookie } });
      expect(me.json()).toMatchObject({ kind: 'session', name: 'ops', scopes: ['admin', 'read', 'stream'] });
      expect((await call(`${url}/api/v1/sessions`, { headers: { cookie: session.cookie } })).status).toBe(
        200,
      );
    }
  });

  it('marks the cookie Secure behind an HTTPS proxy', async () => {
    const proxied = await startGateway({ natsUrl: stack.nats.url, env: { E2GATE_TRUST_PROXY: 'true' } });
    try {
      const reply = await call(`${proxied.url}/api/v1/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ token: READ_TOKEN }),
      });
      expect(reply.headers.get('set-cookie')).toMatch(/; Secure$/);
    } finally {
      await proxied.close();
    }
  });

  it('refuses a state-changing call made with the cookie unless it carries the CSRF token', async () => {
    const session = await signIn(stack.gateway.url, ADMIN_TOKEN);
    const refresh = (headers: Record<string, string>) =>
      call(`${replica.url}/api/v1/catalog/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: session.cookie, ...headers },
        body: '{}',
      });
    for (const headers of [{}, { 'x-csrf-token': 'x'.repeat(32) }, { 'x-csrf-token': '' }] as Record<
      string,
      string
    >[]) {
      const refused = await refresh(headers);
      expect(refused.status).toBe(403);
      expect(refused.json<{ code: string }>().code).toBe('CSRF_REJECTED');
    }
    expect((await refresh({ 'x-csrf-token': session.csrfToken })).status).toBe(202);
    // A bearer token is no ambient credential: it needs no CSRF token, and wins over a cookie.
    const withBearer = await call(`${replica.url}/api/v1/auth/session`, {
      headers: { cookie: session.cookie, authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(withBearer.json()).toMatchObject({ kind: 'token', name: 'reader', csrfToken: null });
  });

  it('signs out on one replica and the cookie stops working on every replica', async () => {
    const session = await signIn(replica.url, READ_TOKEN);
    const signOutWithout = await call(`${stack.gateway.url}/api/v1/auth/session`, {
      method: 'DELETE',
      headers: { cookie: session.cookie },
    });
    expect(signOutWithout.status).toBe(403);
    const signedOut = await call(`${stack.gateway.url}/api/v1/auth/session`, {
      method: 'DELETE',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^e2gate_session=; Path=\/; Max-Age=0;/);
    for (const url of [stack.gateway.url, replica.url]) {
      await expect
        .poll(
          async () =>
            (await call(`${url}/api/v1/channels?limit=1`, { headers: { cookie: session.cookie } })).status,
        )
        .toBe(401);
      const me = await call(`${url}/api/v1/auth/session`, { headers: { cookie: session.cookie } });
      expect(me.json()).toMatchObject({ kind: 'none', scopes: [] });
    }
  });

  it('ends a session at its expiry', async () => {
    const session = await signIn(stack.gateway.url, READ_TOKEN);
    stack.gateway.clock.offsetMs = 2 * 3600_000;
    try {
      const reply = await call(`${stack.gateway.url}/api/v1/channels?limit=1`, {
        headers: { cookie: session.cookie },
      });
      expect(reply.status).toBe(401);
    } finally {
      stack.gateway.clock.offsetMs = 0;
    }
  });

  it('answers bad sign-ins with stable codes, and counts wrong tokens as failed authentications', async () => {
    const post = (body: string, contentType = 'application/json') =>
      call(`${replica.url}/api/v1/auth/session`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
    for (const body of ['{}', '{"token":""}', `{"token":"${'a'.repeat(2000)}"}`, '{"token":1}', '[]']) {
      const reply = await post(body);
      expect(reply.status, body).toBe(400);
      expect(reply.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
    }
    // Login CSRF: no form posts, no other origin.
    expect((await post('token=abc', 'application/x-www-form-urlencoded')).status).toBe(415);
    // A text body is no object: refused by validation before it is looked at.
    expect((await post(`{"token":"${READ_TOKEN}"}`, 'text/plain')).status).toBe(400);
    const crossSite = await call(`${replica.url}/api/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ token: READ_TOKEN }),
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    // A forged cookie is no credential and no crash.
    const forged = await call(`${replica.url}/api/v1/channels?limit=1`, {
      headers: { cookie: `e2gate_session=${'A'.repeat(43)}; e2gate_session=;;` },
    });
    expect(forged.status).toBe(401);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++)
      statuses.push((await post('{"token":"wrong-token"}')).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});
