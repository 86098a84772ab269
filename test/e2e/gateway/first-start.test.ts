import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { bearer, startGateway } from './support/gateway-harness.js';
import { call } from './support/http.js';

/** Fail-closed defaults: no tokens configured → a generated admin token, printed once; anonymous only when asked. */
let nats: RunningNatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

const noTokens = { E2GATE_API_TOKENS: '', E2GATE_URL_SIGNING_KEY: '' };

describe('first start without tokens', () => {
  it('generates an admin token (file mode 0600), prints it once outside the logs, and nothing is anonymous', async () => {
    const first = await startGateway({ natsUrl: nats.url, env: noTokens });
    const dataDir = first.dataDir;
    let token: string;
    try {
      const file = join(dataDir, 'gateway', 'admin-token');
      token = readFileSync(file, 'utf8').trim();
      expect(token).toMatch(/^e2g_[A-Za-z0-9_-]{43}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'gateway', 'url-signing.key')).mode & 0o777).toBe(0o600);
      expect(first.announcer.announced.filter((line) => line.includes(token))).toHaveLength(1);
      expect(first.logs.text).not.toContain(token);
      expect((await call(`${first.url}/api/v1/status`)).status).toBe(401);
      const status = await call(`${first.url}/api/v1/status`, { headers: bearer(token) });
      expect(status.status).toBe(200);
      expect(status.json<{ auth: object }>().auth).toMatchObject({
        tokens: 1,
        generatedAdminToken: true,
        anonymousScopes: [],
      });
      const refresh = await call(`${first.url}/api/v1/catalog/refresh`, {
        method: 'POST',
        headers: bearer(token),
      });
      expect(refresh.json().code).toBe('UNAVAILABLE');
      await first.app.close();

      const mark = first.logs.lines.length;
      const second = await startGateway({ natsUrl: nats.url, env: noTokens, dataDir });
      try {
        expect(second.announcer.announced).toEqual([]);
        expect(second.logs.since(mark).some((line) => line.includes('using the admin token in'))).toBe(true);
        expect((await call(`${second.url}/api/v1/status`, { headers: bearer(token) })).status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await first.close().catch(() => undefined);
    }
  });
});

describe('anonymous access', () => {
  it('exists only for the scopes E2GATE_ALLOW_ANONYMOUS names, is warned about at start and shown in status', async () => {
    const gateway = await startGateway({ natsUrl: nats.url, env: { E2GATE_ALLOW_ANONYMOUS: 'read' } });
    try {
      const warnings = gateway.logs.lines.filter((line) => line.includes('anonymous access is ON'));
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(warnings.at(-1)!).level).toBe(40);
      const status = await call(`${gateway.url}/api/v1/status`);
      expect(status.status).toBe(200);
      expect(status.json<{ auth: { anonymousScopes: string[] } }>().auth.anonymousScopes).toEqual(['read']);
      expect((await call(`${gateway.url}/stream/any-00000000`)).status).toBe(401);
      expect((await call(`${gateway.url}/api/v1/catalog/refresh`, { method: 'POST' })).status).toBe(401);
      const discover = (await call(`${gateway.url}/discover.json`)).json();
      expect(discover['BaseURL']).toBe(gateway.url);
    } finally {
      await gateway.close();
    }
  });
});
