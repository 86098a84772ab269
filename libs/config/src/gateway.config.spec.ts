import { describe, expect, it } from 'vitest';
import { ConfigError, isValidHdhrDeviceId, loadGatewayConfig, redactConfig } from './index.js';

const SECRET_A = 'a'.repeat(16) + 'Secret1';
const SECRET_B = 'b'.repeat(20);

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadGatewayConfig', () => {
  it('applies documented defaults: fail-closed, throttled, HDHomeRun on, SSDP off', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      dataDir: './data',
      http: { host: '0.0.0.0', port: 8080, trustProxy: false },
      auth: { tokens: [], anonymousScopes: [], signingTtlMs: null },
      guide: { xmltvId: 'dvb', lang: 'de' },
      limits: {
        api: { limit: 600, windowMs: 60_000 },
        refresh: { limit: 3, windowMs: 600_000 },
        authFailures: { limit: 10, windowMs: 900_000 },
        maxBodyBytes: 16_384,
      },
      hdhomerun: { enabled: true, discoveryPort: 65001, friendlyName: 'e2gate', tunerCount: 0 },
      ssdp: { enabled: false },
      metricsPort: 0,
      renderBaseUrls: 4,
    });
    expect(config.publicUrl).toBeUndefined();
    expect(config.auth.signingKey).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses scoped tokens', () => {
    const config = loadGatewayConfig({
      E2GATE_API_TOKENS: ` kodi:${SECRET_A}:read+stream , ops:${SECRET_B}:admin `,
    });
    expect(config.auth.tokens).toEqual([
      { name: 'kodi', secret: SECRET_A, scopes: ['read', 'stream'] },
      { name: 'ops', secret: SECRET_B, scopes: ['admin'] },
    ]);
  });

  it.each([
    [`kodi:short:read`, /at least 16 characters/],
    [`kodi:${SECRET_A}`, /name:secret:scope/],
    [`kodi:${SECRET_A}:root`, /scopes of "kodi"/],
    [`kodi:${SECRET_A}:`, /scopes of "kodi"/],
    [`k o:${SECRET_A}:read`, /name must be/],
    [`a:${SECRET_A}:read,a:${SECRET_B}:read`, /used twice/],
    [`a:${SECRET_A}:read,b:${SECRET_A}:read`, /secret of "b" is used twice/],
  ])('rejects tokens %j at boot without echoing the secret', (value, message) => {
    const problems = problemsOf({ E2GATE_API_TOKENS: value });
    expect(problems.map((problem) => problem.variable)).toEqual(['E2GATE_API_TOKENS']);
    expect(problems[0]?.message).toMatch(message);
    expect(problems[0]?.message).not.toContain(SECRET_A);
  });

  it('gives open requests 10 s after SIGTERM by default, never less than 1 s', () => {
    expect(loadGatewayConfig({}).shutdownGraceMs).toBe(10_000);
    expect(loadGatewayConfig({ E2GATE_SHUTDOWN_GRACE: '1s' }).shutdownGraceMs).toBe(1000);
    expect(problemsOf({ E2GATE_SHUTDOWN_GRACE: '500ms' })).toEqual([
      { variable: 'E2GATE_SHUTDOWN_GRACE', message: expect.stringContaining('between 1s and') },
    ]);
  });

  it('grants anonymous read/stream only', () => {
    expect(loadGatewayConfig({ E2GATE_ALLOW_ANONYMOUS: 'read, stream' }).auth.anonymousScopes).toEqual([
      'read',
      'stream',
    ]);
    expect(problemsOf({ E2GATE_ALLOW_ANONYMOUS: 'read,admin' })[0]?.variable).toBe('E2GATE_ALLOW_ANONYMOUS');
  });

  it('validates the signing key, expiry, public URL and proxy list', () => {
    const config = loadGatewayConfig({
      E2GATE_URL_SIGNING_KEY: 'k'.repeat(32),
      E2GATE_URL_SIGNING_TTL: '24h',
      E2GATE_PUBLIC_URL: 'https://tv.example.org/e2gate/',
      E2GATE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
    });
    expect(config.auth.signingTtlMs).toBe(86_400_000);
    expect(config.publicUrl).toBe('https://tv.example.org/e2gate');
    expect(config.http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadGatewayConfig({ E2GATE_URL_SIGNING_TTL: 'off' }).auth.signingTtlMs).toBeNull();
    const problems = problemsOf({
      E2GATE_URL_SIGNING_KEY: 'short',
      E2GATE_URL_SIGNING_TTL: '1s',
      E2GATE_PUBLIC_URL: 'ftp://x',
      E2GATE_TRUST_PROXY: 'everyone',
      E2GATE_XMLTV_ID: 'name',
      E2GATE_EPG_LANG: 'deu',
      E2GATE_HDHR_ENABLED: 'maybe',
    });
    expect(problems.map((problem) => problem.variable).sort()).toEqual([
      'E2GATE_EPG_LANG',
      'E2GATE_HDHR_ENABLED',
      'E2GATE_PUBLIC_URL',
      'E2GATE_TRUST_PROXY',
      'E2GATE_URL_SIGNING_KEY',
      'E2GATE_URL_SIGNING_TTL',
      'E2GATE_XMLTV_ID',
    ]);
  });

  it('accepts only checksum-valid HDHomeRun device ids', () => {
    expect(loadGatewayConfig({ E2GATE_HDHR_DEVICE_ID: '1a2b3c46' }).hdhomerun.deviceId).toBe('1A2B3C46');
    expect(problemsOf({ E2GATE_HDHR_DEVICE_ID: '12345678' })[0]?.variable).toBe('E2GATE_HDHR_DEVICE_ID');
  });

  it('never shows secrets when the config is logged', () => {
    const config = loadGatewayConfig({
      E2GATE_API_TOKENS: `kodi:${SECRET_A}:read`,
      E2GATE_URL_SIGNING_KEY: 'signing-key-'.repeat(3),
    });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain(SECRET_A);
    expect(text).not.toContain('signing-key-');
  });
});

describe('isValidHdhrDeviceId', () => {
  it.each([
    ['1A2B3C46', true],
    ['12345674', true],
    ['12345678', false],
    ['FFFFFFFF', false],
    ['1A2B3C4', false],
  ])('%s → %s', (id, valid) => expect(isValidHdhrDeviceId(id)).toBe(valid));
});
