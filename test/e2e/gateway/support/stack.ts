import { startCatalog, type CatalogUnderTest } from '../../../support/catalog-harness.js';
import { startNatsServer, type RunningNatsServer } from '../../../support/nats-server.js';
import { startReceiverSim, type ReceiverSim, type ReceiverSimOptions } from '../../../receiver-sim/index.js';
import { startGateway, type GatewayStartOptions, type GatewayUnderTest } from './gateway-harness.js';

export interface Stack {
  nats: RunningNatsServer;
  sim: ReceiverSim;
  catalog: CatalogUnderTest;
  gateway: GatewayUnderTest;
  /** Snapshot version the catalog published at start (the gateway serves it). */
  version: string;
  close(): Promise<void>;
}

export interface StackOptions {
  sim?: ReceiverSimOptions;
  gatewayEnv?: GatewayStartOptions['env'];
  catalogEnv?: Record<string, string>;
  /** Put these receiver credentials into the catalog's receiver URL (`http://user:pass@host`). */
  receiverUrlWithCredentials?: { user: string; password: string };
}

/**
 * gateway + catalog + a real nats-server (own JetStream store per test file) + the receiver simulator, started
 * in-process; resolves once the gateway serves the catalog's first snapshot.
 *
 * The gateway starts first, before the catalog has created any bucket (it must cope), and because nestjs-pino keeps
 * one logger per process: the first app's. Starting first makes it the gateway's, so its log capture sees every line
 * (the catalog's too — which the no-secrets test wants).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const nats = await startNatsServer();
  const sim = await startReceiverSim({ bouquets: 3, channels: 24, epgDays: 2, ...options.sim });
  const gateway = await startGateway({
    natsUrl: nats.url,
    ...(options.gatewayEnv ? { env: options.gatewayEnv } : {}),
  });
  const catalog = await startCatalog({
    natsUrl: nats.url,
    receiverUrl: withCredentials(sim.url, options.receiverUrlWithCredentials),
    env: { E2GATE_EPG_DAYS: String(options.sim?.epgDays ?? 2), ...options.catalogEnv },
  });
  const outcome = await catalog.startup;
  if (!outcome.ok) throw new Error(`catalog refresh failed: ${outcome.event.code} ${outcome.event.message}`);
  await gateway.follower.whenServing(outcome.event.version, 60_000);
  return {
    nats,
    sim,
    catalog,
    gateway,
    version: outcome.event.version,
    close: async () => {
      await gateway.close();
      await catalog.close();
      await sim.close();
      await nats.stop();
    },
  };
}

function withCredentials(url: string, credentials: StackOptions['receiverUrlWithCredentials']): string {
  if (!credentials) return url;
  const parsed = new URL(url);
  parsed.username = credentials.user;
  parsed.password = credentials.password;
  return parsed.toString().replace(/\/$/, '');
}
