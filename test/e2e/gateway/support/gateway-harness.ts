import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadGatewayConfig, type GatewayConfig } from '@e2gate/config';
import { NatsConnectionService } from '@e2gate/nats';
import { ClockRepository } from '@e2gate/observability';
import { startGatewayApp } from '../../../../apps/gateway/src/gateway.app.js';
import { AnnouncerRepository } from '../../../../apps/gateway/src/repositories/announcer.repository.js';
import { DiscoveryResponderService } from '../../../../apps/gateway/src/services/discovery-responder.service.js';
import { SnapshotFollowerService } from '../../../../apps/gateway/src/services/snapshot-follower.service.js';
import { natsEnv } from '../../../support/nats-server.js';

export const READ_TOKEN = 'reader-secret-0123456789';
export const STREAM_TOKEN = 'streamer-secret-0123456789';
export const ADMIN_TOKEN = 'admin-secret-0123456789abc';
export const STREAM_ONLY_TOKEN = 'tuner-only-secret-0123456789';
export const SIGNING_KEY = 'test-signing-key-0123456789abcdef0123';
export const TOKENS =
  `reader:${READ_TOKEN}:read,player:${STREAM_TOKEN}:read+stream,ops:${ADMIN_TOKEN}:admin,` +
  `tuner:${STREAM_ONLY_TOKEN}:stream`;

/**
 * Captures every JSON log line written in this process. nestjs-pino keeps one logger per process (the first app's),
 * so all gateways of a test file — and a catalog started after them — write here.
 */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  /** Lines written after `mark`, which is an earlier `lines.length`. */
  since(mark: number): string[] {
    return this.lines.slice(mark);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }

  get text(): string {
    return this.lines.join('\n');
  }
}

const sharedLogs = new LogCapture();

export class CapturingAnnouncer extends AnnouncerRepository {
  readonly announced: string[] = [];

  override announce(lines: readonly string[]): void {
    this.announced.push(...lines);
  }
}

export class AdjustableClock extends ClockRepository {
  offsetMs = 0;

  override nowMs(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface GatewayUnderTest {
  app: NestFastifyApplication;
  config: GatewayConfig;
  url: string;
  dataDir: string;
  logs: LogCapture;
  announcer: CapturingAnnouncer;
  clock: AdjustableClock;
  follower: SnapshotFollowerService;
  discoveryPort: number | null;
  close(): Promise<void>;
}

export interface GatewayStartOptions {
  natsUrl: string;
  env?: Record<string, string>;
  dataDir?: string;
}

/** Starts the real gateway app in-process on a free port, as `node dist/apps/gateway/src/main.js` would. */
export async function startGateway(options: GatewayStartOptions): Promise<GatewayUnderTest> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'e2gate-gateway-'));
  const config = loadGatewayConfig({
    ...natsEnv(options.natsUrl, 'gateway'),
    E2GATE_DATA_DIR: dataDir,
    E2GATE_GATEWAY_HTTP_HOST: '127.0.0.1',
    E2GATE_GATEWAY_HTTP_PORT: '0',
    E2GATE_HDHR_DISCOVERY_HOST: '127.0.0.1',
    E2GATE_HDHR_DISCOVERY_PORT: '0',
    E2GATE_API_TOKENS: TOKENS,
    E2GATE_URL_SIGNING_KEY: SIGNING_KEY,
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const logs = sharedLogs;
  const announcer = new CapturingAnnouncer();
  const clock = new AdjustableClock();
  const app = await startGatewayApp(config, { logDestination: logs, announcer, clock });
  // The NATS connection opens lazily; tests start from a connected gateway.
  await app.get(NatsConnectionService).connection();
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    config,
    url,
    dataDir,
    logs,
    announcer,
    clock,
    follower: app.get(SnapshotFollowerService),
    discoveryPort: app.get(DiscoveryResponderService).port,
    close: async () => {
      await app.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
