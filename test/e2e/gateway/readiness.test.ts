import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalog, nextRefreshOutcome, type CatalogUnderTest } from '../../support/catalog-harness.js';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import {
  ADMIN_TOKEN,
  bearer,
  READ_TOKEN,
  startGateway,
  type GatewayUnderTest,
} from './support/gateway-harness.js';
import { call, metric } from './support/http.js';

/** Readiness and status through the catalog's life: none → fresh → stale (degraded) → fresh, and the catalog gone. */
let nats: RunningNatsServer;
let sim: ReceiverSim;
let gateway: GatewayUnderTest;
let catalog: CatalogUnderTest | null = null;

beforeAll(async () => {
  nats = await startNatsServer();
  sim = await startReceiverSim({ bouquets: 2, channels: 8, epgDays: 1 });
  gateway = await startGateway({
    natsUrl: nats.url,
    env: {
      E2GATE_SNAPSHOT_MAX_AGE: '1h',
      // Non-default limits, so the status page shows it reports what is in force.
      E2GATE_RATE_LIMIT: '1234',
      E2GATE_RATE_LIMIT_WINDOW: '2m',
      E2GATE_AUTH_FAILURE_LIMIT: '7',
      E2GATE_MAX_URL_LENGTH: '2048',
      // Long, so that a query that waits for it instead of failing fast (NATS down) cannot pass unnoticed.
      E2GATE_CATALOG_TIMEOUT: '20s',
    },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await catalog?.close();
  await sim?.close();
  await nats?.stop();
});

type Section = Record<string, Record<string, unknown>>;
interface Readiness {
  status: string;
  info: Section;
  error: Section;
  code?: string;
  requestId?: string;
}

const readyz = async () => {
  const reply = await call(`${gateway.url}/readyz`);
  return { status: reply.status, body: reply.json<Readiness>() };
};
const status = async () =>
  (await call(`${gateway.url}/api/v1/status`, { headers: bearer(READ_TOKEN) })).json<Section>();

async function refreshThroughGateway() {
  const outcome = nextRefreshOutcome(catalog!.nc, 60_000);
  const reply = await call(`${gateway.url}/api/v1/catalog/refresh`, {
    method: 'POST',
    headers: bearer(ADMIN_TOKEN),
  });
  expect(reply.status).toBe(202);
  return outcome;
}

describe('readiness transitions', () => {
  it('no snapshot (the catalog has not even created its buckets): 503, and snapshot-backed routes say NO_SNAPSHOT', async () => {
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'error',
      code: 'UNAVAILABLE',
      error: { snapshot: { status: 'down' } },
    });
    expect(ready.body.info).toMatchObject({ nats: { status: 'up' }, jetstream: { status: 'up' } });
    expect(ready.body.requestId).toEqual(expect.any(String));
    const playlist = await call(`${gateway.url}/playlist.m3u`, { headers: bearer(READ_TOKEN) });
    expect(playlist.status).toBe(503);
    expect(playlist.json().code).toBe('NO_SNAPSHOT');
    expect((await status()).catalog).toMatchObject({ present: false, stale: false, reachable: false });
    expect((await call(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('fresh snapshot: 200 ok', async () => {
    catalog = await startCatalog({ natsUrl: nats.url, receiverUrl: sim.url, env: { E2GATE_EPG_DAYS: '1' } });
    const outcome = await catalog.startup;
    if (!outcome.ok) throw new Error(`catalog refresh failed: ${outcome.event.message}`);
    await gateway.follower.whenServing(outcome.event.version);
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { snapshot: { status: 'up', stale: false } } });
    const current = await status();
    expect(current['catalog']).toMatchObject({
      present: true,
      stale: false,
      reachable: true,
      refreshing: false,
    });
    expect(current['receiver']).toMatchObject({ brand: expect.any(String), tuners: 4, breaker: 'closed' });
    expect(current['limits']).toEqual({
      api: { limit: 1234, windowSeconds: 120 },
      refresh: { limit: 3, windowSeconds: 600 },
      authFailures: { limit: 7, windowSeconds: 900 },
      maxBodyBytes: 16_384,
      maxUrlLength: 2048,
    });
    expect(current['auth']).toEqual({
      tokens: 4,
      generatedAdminToken: false,
      anonymousScopes: [],
      signedUrlTtlSeconds: null,
    });
    const metrics = (await call(`${gateway.url}/metrics`)).text;
    expect(metric(metrics, 'e2gate_gateway_catalog_snapshot_loaded')).toBe(1);
    expect(metric(metrics, 'e2gate_gateway_catalog_stale')).toBe(0);
    expect(metric(metrics, 'e2gate_gateway_nats_connection_state', { state: 'connected' })).toBe(1);
    expect(metric(metrics, 'e2gate_gateway_catalog_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('stale snapshot (the receiver is down and a refresh failed): 200 degraded with detail; last error in status', async () => {
    await sim.setFaults({ offline: true });
    const outcome = await refreshThroughGateway();
    expect(outcome.ok).toBe(false);
    await gateway.follower.whenMeta((meta) => meta?.stale === true);
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'degraded',
      info: {
        snapshot: { status: 'degraded', stale: true, reason: expect.stringContaining('last refresh failed') },
      },
    });
    const current = await status();
    expect(current['catalog']).toMatchObject({
      present: true,
      stale: true,
      staleSince: expect.any(String),
      lastError: { code: expect.stringMatching(/^(RECEIVER_|REFRESH_)/) },
    });
    expect((await call(`${gateway.url}/playlist.m3u`, { headers: bearer(READ_TOKEN) })).status).toBe(200);
    expect(metric((await call(`${gateway.url}/metrics`)).text, 'e2gate_gateway_catalog_stale')).toBe(1);
  });

  it('fresh again once a refresh succeeds', async () => {
    await sim.resetFaults();
    const outcome = await refreshThroughGateway();
    expect(outcome.ok).toBe(true);
    await gateway.follower.whenMeta((meta) => meta?.stale === false);
    expect((await readyz()).body.status).toBe('ok');
  });

  it('a snapshot older than E2GATE_SNAPSHOT_MAX_AGE is degraded too', async () => {
    gateway.clock.offsetMs = 2 * 3600_000;
    try {
      const ready = await readyz();
      expect(ready.status).toBe(200);
      expect(ready.body.info['snapshot']).toMatchObject({
        status: 'degraded',
        reason: expect.stringContaining('old'),
      });
    } finally {
      gateway.clock.offsetMs = 0;
    }
  });

  it('with the catalog gone, queries fail fast with 503 UNAVAILABLE while documents keep being served', async () => {
    await catalog!.close();
    catalog = null;
    const channels = await call(`${gateway.url}/api/v1/channels`, { headers: bearer(READ_TOKEN) });
    expect(channels.status).toBe(503);
    expect(channels.json().code).toBe('UNAVAILABLE');
    expect((await call(`${gateway.url}/playlist.m3u`, { headers: bearer(READ_TOKEN) })).status).toBe(200);
    expect((await status())['catalog']).toMatchObject({ present: true, reachable: false });
  });

  it('NATS down: 503 naming nats and jetstream, while liveness stays 200', async () => {
    await nats.stop();
    // Each probe is an awaited request; the gateway notices the lost connection within a moment.
    const deadline = Date.now() + 30_000;
    let ready = await readyz();
    while (ready.status !== 503 && Date.now() < deadline) ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'error',
      code: 'UNAVAILABLE',
      message: expect.stringContaining('nats'),
      error: {
        nats: { status: 'down', state: expect.stringMatching(/^(disconnected|reconnecting)$/) },
        jetstream: { status: 'down' },
      },
    });
    expect((await call(`${gateway.url}/healthz`)).status).toBe(200);
    const metrics = (await call(`${gateway.url}/metrics`)).text;
    expect(metric(metrics, 'e2gate_gateway_nats_connection_state', { state: 'connected' })).toBe(0);
  });

  it('NATS down: /api/v1 queries answer 503 UNAVAILABLE at once instead of waiting for the catalog timeout', async () => {
    const started = Date.now();
    const channels = await call(`${gateway.url}/api/v1/channels`, { headers: bearer(READ_TOKEN) });
    const elapsedMs = Date.now() - started;
    expect(channels.status).toBe(503);
    expect(channels.json()).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('NATS') });
    // E2GATE_CATALOG_TIMEOUT is 20 s here: a generous bound that only a fail-fast answer meets.
    expect(elapsedMs).toBeLessThan(5000);
    const refresh = await call(`${gateway.url}/api/v1/catalog/refresh`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(refresh.status).toBe(503);
    expect(refresh.json().code).toBe('UNAVAILABLE');
  });
});
