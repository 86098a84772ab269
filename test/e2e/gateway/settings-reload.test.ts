import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlSigner } from '../../../apps/gateway/src/auth/url-signer.js';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { ADMIN_TOKEN, bearer } from './support/gateway-harness.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { call } from './support/http.js';

// Settings reload on a real gateway process (docs/operations.md § Reloading settings): tokens, URL signing, rate
// limits and the log level come from E2GATE_SETTINGS_FILE over the environment, and change on SIGHUP or through the
// admin API; a file that does not validate is refused and the running settings stay.

const FILE_ADMIN = 'file-admin-secret-0123456789';
const NEW_READER = 'new-reader-secret-0123456789';
const KEY_1 = 'first-signing-key-0123456789abcdef0123';
const KEY_2 = 'second-signing-key-0123456789abcdef012';

let nats: RunningNatsServer;
let gateway: GatewayProcess;
const work = mkdtempSync(join(tmpdir(), 'e2gate-settings-'));
const settingsFile = join(work, 'gateway.env');

function writeSettings(lines: string[]): void {
  writeFileSync(settingsFile, ['# e2gate gateway settings', ...lines, ''].join('\n'));
}

const status = async (path: string, token: string) =>
  (await call(`${gateway.url}${path}`, { headers: bearer(token) })).status;

const deviceKeyOf = (key: string) => new UrlSigner(Buffer.from(key, 'utf8')).deviceKey();

async function reloadByApi() {
  return call(`${gateway.url}/api/v1/admin/reload`, { method: 'POST', headers: bearer(FILE_ADMIN) });
}

beforeAll(async () => {
  nats = await startNatsServer();
  writeSettings([`E2GATE_API_TOKENS=admin:${FILE_ADMIN}:admin`, `E2GATE_URL_SIGNING_KEY="${KEY_1}"`]);
  gateway = await startGatewayProcess({ natsUrl: nats.url, env: { E2GATE_SETTINGS_FILE: settingsFile } });
}, 90_000);

afterAll(async () => {
  await gateway?.dispose();
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('settings reload', () => {
  it('reads the settings file at start, over the environment', async () => {
    expect(await status('/api/v1/admin/log-level', FILE_ADMIN)).toBe(200);
    // The environment's tokens (the harness's) are replaced by the file's.
    expect(await status('/api/v1/admin/log-level', ADMIN_TOKEN)).toBe(401);
    expect((await call(`${gateway.url}/hdhr/${deviceKeyOf(KEY_1)}/lineup_status.json`)).status).toBe(200);
    // The start log names where each setting came from.
    const start = await gateway.logEntry(/^settings \(set: from the environment/, 5_000);
    expect(start['settings']).toMatchObject({
      E2GATE_API_TOKENS: 'file',
      E2GATE_URL_SIGNING_KEY: 'file',
      E2GATE_SETTINGS_FILE: 'set',
      E2GATE_XMLTV_ID: 'default',
    });
  });

  it('applies a changed file on SIGHUP: new tokens and a new signing key, at once', async () => {
    writeSettings([
      `E2GATE_API_TOKENS=admin:${FILE_ADMIN}:admin,reader:${NEW_READER}:read`,
      `E2GATE_URL_SIGNING_KEY='${KEY_2}'`,
    ]);
    gateway.child.kill('SIGHUP');
    const line = await gateway.logLine(/^settings reloaded \(SIGHUP\)/, 10_000);
    expect(line).toContain('changed E2GATE_API_TOKENS, E2GATE_URL_SIGNING_KEY');
    expect(await status('/api/v1/status', NEW_READER)).toBe(200);
    expect((await call(`${gateway.url}/hdhr/${deviceKeyOf(KEY_1)}/lineup_status.json`)).status).toBe(401);
    expect((await call(`${gateway.url}/hdhr/${deviceKeyOf(KEY_2)}/lineup_status.json`)).status).toBe(200);
  });

  it('refuses a file that does not validate, says why, and keeps running on the settings it had', async () => {
    writeSettings([`E2GATE_API_TOKENS=admin:short:admin`, `E2GATE_RATE_LIMIT=lots`]);
    gateway.child.kill('SIGHUP');
    const line = await gateway.logLine(/^settings reload \(SIGHUP\) refused/, 10_000);
    expect(line).toMatch(/E2GATE_API_TOKENS: .*E2GATE_RATE_LIMIT: must be an integer/);
    expect(line).not.toContain('short');
    expect(await status('/api/v1/status', NEW_READER)).toBe(200);
    expect(await status('/api/v1/admin/log-level', FILE_ADMIN)).toBe(200);

    const refused = await reloadByApi();
    expect(refused.status).toBe(422);
    expect(refused.json<{ code: string; details: { problems: { variable: string }[] } }>()).toMatchObject({
      code: 'SETTINGS_INVALID',
      details: { problems: [{ variable: 'E2GATE_API_TOKENS' }, { variable: 'E2GATE_RATE_LIMIT' }] },
    });
  });

  it('refuses a variable that only a restart can change', async () => {
    writeSettings([`E2GATE_API_TOKENS=admin:${FILE_ADMIN}:admin`, 'E2GATE_GATEWAY_HTTP_PORT=1']);
    const refused = await reloadByApi();
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('E2GATE_GATEWAY_HTTP_PORT');
  });

  it('changes the log level at runtime, until the next reload sets the file’s', async () => {
    const set = await call(`${gateway.url}/api/v1/admin/log-level`, {
      method: 'PUT',
      headers: { ...bearer(FILE_ADMIN), 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'debug' }),
    });
    expect(set.status, set.text).toBe(200);
    const level = async () =>
      (await call(`${gateway.url}/api/v1/admin/log-level`, { headers: bearer(FILE_ADMIN) })).json<{
        level: string;
      }>().level;
    expect(await level()).toBe('debug');
    writeSettings([`E2GATE_API_TOKENS=admin:${FILE_ADMIN}:admin`, 'LOG_LEVEL=warn']);
    const applied = await reloadByApi();
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json<{ changed: string[] }>().changed).toEqual(
      expect.arrayContaining(['E2GATE_API_TOKENS', 'E2GATE_URL_SIGNING_KEY', 'LOG_LEVEL']),
    );
    expect(await level()).toBe('warn');
    // The reader token left the file with the reload.
    expect(await status('/api/v1/status', NEW_READER)).toBe(401);
  });

  it('lowers the rate limit at once', async () => {
    writeSettings([`E2GATE_API_TOKENS=admin:${FILE_ADMIN}:admin`, 'E2GATE_RATE_LIMIT=3']);
    expect((await reloadByApi()).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await status('/api/v1/admin/log-level', FILE_ADMIN));
    expect(statuses).toContain(429);
  });
});
