import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadCatalogConfig,
  loadGatewayConfig,
  parseDuration,
  redactConfig,
  type SharedConfig,
} from './index.js';

const base = { E2GATE_RECEIVER_URL: 'http://192.168.1.20/' };

describe('parseDuration', () => {
  it.each([
    ['4h', 14_400_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '4', 'h', '4 hours', '-1h', '1h 30m'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe('loadCatalogConfig', () => {
  it('applies documented defaults', () => {
    const config = loadCatalogConfig(base);
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      dataDir: './data',
      bouquets: [],
      epgDays: 7,
      refreshIntervalMs: 4 * 3600_000,
      refreshTimeoutMs: 30 * 60_000,
      refreshLeaseMs: 30_000,
      logLevel: 'info',
      receiver: { url: 'http://192.168.1.20', maxRps: 10, concurrency: 4, epgConcurrency: 1 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses lists and durations', () => {
    const config = loadCatalogConfig({
      ...base,
      E2GATE_BOUQUETS: ' Favourites , Sport & Freizeit ,',
      E2GATE_REFRESH_INTERVAL: '30m',
    });
    expect(config.bouquets).toEqual(['Favourites', 'Sport & Freizeit']);
    expect(config.refreshIntervalMs).toBe(1_800_000);
  });

  it('names every invalid or missing variable', () => {
    const attempt = () =>
      loadCatalogConfig({ E2GATE_EPG_DAYS: 'seven', E2GATE_REFRESH_INTERVAL: '500ms', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const variables = (error as ConfigError).problems.map((problem) => problem.variable).sort();
      expect(variables).toEqual([
        'E2GATE_EPG_DAYS',
        'E2GATE_RECEIVER_URL',
        'E2GATE_REFRESH_INTERVAL',
        'LOG_LEVEL',
      ]);
      expect((error as Error).message).toContain('E2GATE_RECEIVER_URL: is required');
    }
  });

  it('treats empty strings as unset', () => {
    expect(loadCatalogConfig({ ...base, E2GATE_EPG_DAYS: '' }).epgDays).toBe(7);
  });

  it('rejects non-http receiver URLs', () => {
    expect(() => loadCatalogConfig({ E2GATE_RECEIVER_URL: 'ftp://box' })).toThrow(/E2GATE_RECEIVER_URL/);
  });
});

describe('shared variables', () => {
  it('read the same way by every app', () => {
    const env = {
      ...base,
      NATS_URL: 'nats://nats-1:4222',
      E2GATE_NATS_NKEY_FILE: '/run/nats/seed.nk',
      E2GATE_NATS_REPLICAS: '3',
      E2GATE_DATA_DIR: '/var/lib/e2gate',
      E2GATE_SHUTDOWN_BUDGET: '45s',
      LOG_LEVEL: 'debug',
    };
    const expected: SharedConfig = {
      natsUrl: 'nats://nats-1:4222',
      natsCredentials: { kind: 'nkey', seedFile: '/run/nats/seed.nk' },
      natsReplicas: 3,
      dataDir: '/var/lib/e2gate',
      logLevel: 'debug',
      shutdownBudgetMs: 45_000,
    };
    expect(loadCatalogConfig(env)).toMatchObject(expected);
    expect(loadGatewayConfig(env)).toMatchObject(expected);
  });

  it('are validated by every app', () => {
    for (const load of [loadCatalogConfig, loadGatewayConfig]) {
      expect(() => load({ ...base, NATS_URL: 'http://nats' })).toThrow(
        /NATS_URL: must be one or more nats:\/\/ URLs/,
      );
      expect(() => load({ ...base, E2GATE_NATS_USER: 'gateway' })).toThrow(
        /E2GATE_NATS_PASSWORD: is required/,
      );
      expect(() =>
        load({ ...base, E2GATE_NATS_NKEY_FILE: '/k', E2GATE_NATS_USER: 'u', E2GATE_NATS_PASSWORD: 'p' }),
      ).toThrow(/E2GATE_NATS_NKEY_FILE: set either it or/);
      expect(() => load({ ...base, E2GATE_NATS_REPLICAS: '7' })).toThrow(
        /E2GATE_NATS_REPLICAS: must be at most 5/,
      );
    }
  });

  it('keep the HTTP grace of the gateway inside the whole shutdown budget', () => {
    expect(
      loadGatewayConfig({ ...base, E2GATE_SHUTDOWN_BUDGET: '5s', E2GATE_SHUTDOWN_GRACE: '4s' }),
    ).toMatchObject({
      shutdownBudgetMs: 5000,
      shutdownGraceMs: 4000,
    });
    expect(() =>
      loadGatewayConfig({ ...base, E2GATE_SHUTDOWN_BUDGET: '5s', E2GATE_SHUTDOWN_GRACE: '5s' }),
    ).toThrow(/E2GATE_SHUTDOWN_GRACE: must be at least 1s shorter than E2GATE_SHUTDOWN_BUDGET \(5s\)/);
    expect(() => loadCatalogConfig({ ...base, E2GATE_SHUTDOWN_BUDGET: '2s' })).toThrow(
      /E2GATE_SHUTDOWN_BUDGET: must be between 3s and 10m/,
    );
  });

  it('hide the NATS password wherever configuration is logged', () => {
    const config = loadGatewayConfig({
      ...base,
      E2GATE_NATS_USER: 'gateway',
      E2GATE_NATS_PASSWORD: 'hunter2-nats',
    });
    expect(config.natsCredentials).toEqual({ kind: 'password', user: 'gateway', password: 'hunter2-nats' });
    expect(JSON.stringify(redactConfig(config))).not.toContain('hunter2-nats');
  });
});

describe('redactConfig', () => {
  it('hides secrets and URL credentials', () => {
    const config = loadCatalogConfig({
      ...base,
      E2GATE_RECEIVER_URL: 'http://root:hunter2@box.local',
      E2GATE_RECEIVER_PASSWORD: 'hunter2',
    });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain('hunter2');
    expect(text).toContain('[redacted]');
  });
});
