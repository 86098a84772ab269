import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadCatalogConfig } from '@e2gate/config';
import {
  Subject,
  type CatalogRefreshedEvent,
  type CatalogRefreshFailedEvent,
  type ReplyOf,
  type RequestOf,
  type RequestSubject,
} from '@e2gate/contracts';
import { NatsClientService, NatsConnectionService } from '@e2gate/nats';
import { ClockRepository } from '@e2gate/observability';
import { startCatalogApp } from '../../apps/catalog/src/catalog.app.js';
import { connectNats, nextMessage } from './nats-events.js';
import { natsEnv, natsLink } from './nats-server.js';

export class FrozenClock extends ClockRepository {
  constructor(private readonly ms: number) {
    super();
  }

  override nowMs(): number {
    return this.ms;
  }
}

export interface CatalogUnderTest {
  app: NestFastifyApplication;
  dataDir: string;
  /** Typed NATS requests, as the gateway makes them. */
  request<S extends RequestSubject>(subject: S, payload: RequestOf<S>): Promise<ReplyOf<S>>;
  nc: NatsConnection;
  /** Outcome of the refresh the catalog runs at start (subscribed before the app started). */
  startup: Promise<RefreshOutcome>;
  close(): Promise<void>;
}

export interface CatalogStartOptions {
  natsUrl: string;
  receiverUrl: string;
  dataDir?: string;
  env?: Record<string, string>;
  nowMs?: number;
}

/** Starts the real catalog app in-process, like `node dist/apps/catalog/src/main.js` would. */
export async function startCatalog(options: CatalogStartOptions): Promise<CatalogUnderTest> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'e2gate-catalog-'));
  const config = loadCatalogConfig({
    ...natsEnv(options.natsUrl, 'catalog'),
    E2GATE_RECEIVER_URL: options.receiverUrl,
    E2GATE_DATA_DIR: dataDir,
    E2GATE_CATALOG_HTTP_HOST: '127.0.0.1',
    E2GATE_CATALOG_HTTP_PORT: '0',
    E2GATE_RECEIVER_TIMEOUT: '2s',
    E2GATE_RECEIVER_MAX_RPS: '500',
    E2GATE_RECEIVER_CONCURRENCY: '8',
    E2GATE_RECEIVER_EPG_CONCURRENCY: '4',
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const nc = await connectNats(options.natsUrl);
  const startup = nextRefreshOutcome(nc, 120_000);
  startup.catch(() => undefined);
  const app = await startCatalogApp(
    config,
    options.nowMs === undefined ? {} : { clock: new FrozenClock(options.nowMs) },
  );
  const connection = new NatsConnectionService({
    link: natsLink(options.natsUrl, 'gateway'),
    role: 'gateway',
    name: 'e2gate-test-client',
  });
  const client = new NatsClientService(connection);
  return {
    app,
    dataDir,
    nc,
    startup,
    request: (subject, payload) => client.request(subject, payload, { timeoutMs: 10_000 }),
    close: async () => {
      await app.close();
      await connection.onApplicationShutdown();
      await nc.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export type RefreshOutcome =
  { ok: true; event: CatalogRefreshedEvent } | { ok: false; event: CatalogRefreshFailedEvent };

/**
 * Resolves with the outcome of the next refresh to finish (subscribe before triggering it); the steps a first EPG
 * load publishes on the way (`partial: true`) are not outcomes.
 */
export function nextRefreshOutcome(nc: NatsConnection, timeoutMs = 60_000): Promise<RefreshOutcome> {
  return nextMessage<{ subject: string; payload: unknown }>(
    nc,
    'catalog.evt.*',
    ({ payload }) => (payload as { partial?: boolean }).partial !== true,
    timeoutMs,
    true,
  ).then(({ subject, payload }) =>
    subject === Subject.CatalogEvtRefreshed
      ? { ok: true, event: payload as CatalogRefreshedEvent }
      : { ok: false, event: payload as CatalogRefreshFailedEvent },
  );
}
