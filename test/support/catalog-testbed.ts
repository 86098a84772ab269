import { afterAll, afterEach, beforeAll } from 'vitest';
import { startReceiverSim, type ReceiverSim, type ReceiverSimOptions } from '../receiver-sim/index.js';
import { removeDir, startCatalog, type CatalogUnderTest } from './catalog-harness.js';
import { startNatsServer, type RunningNatsServer } from './nats-server.js';

export interface CatalogTestbed {
  /** The file's nats-server (started before the first test). */
  readonly nats: RunningNatsServer;
  /** The file's receiver simulator; its faults are reset after every test. */
  readonly sim: ReceiverSim;
  /** Starts a catalog on the file's nats-server and simulator; closed, its data dir removed, after the test. */
  start(env?: Record<string, string>): Promise<CatalogUnderTest>;
  /** Hands a catalog started some other way to the same after-test clean-up. */
  track(catalog: CatalogUnderTest): CatalogUnderTest;
  /** Takes the current catalog out of the clean-up (the test closed it itself). */
  forget(): void;
}

/**
 * Registers the hooks most catalog medium tests share: one nats-server and one simulator for the file, one
 * catalog per test, frozen at `nowMs` like the simulator, with `env` as its base configuration.
 */
export function useCatalogTestbed(options: {
  sim: ReceiverSimOptions;
  nowMs: number;
  env?: Record<string, string>;
}): CatalogTestbed {
  let nats: RunningNatsServer | undefined;
  let sim: ReceiverSim | undefined;
  let current: CatalogUnderTest | null = null;
  const bed: CatalogTestbed = {
    get nats() {
      if (!nats) throw new Error('the testbed starts in beforeAll');
      return nats;
    },
    get sim() {
      if (!sim) throw new Error('the testbed starts in beforeAll');
      return sim;
    },
    async start(env = {}) {
      const catalog = await startCatalog({
        natsUrl: bed.nats.url,
        receiverUrl: bed.sim.url,
        nowMs: options.nowMs,
        env: { ...options.env, ...env },
      });
      return bed.track(catalog);
    },
    track(catalog) {
      current = catalog;
      return catalog;
    },
    forget() {
      current = null;
    },
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    sim = await startReceiverSim({ ...options.sim, now: () => options.nowMs });
  });
  afterAll(async () => {
    await sim?.close();
    await nats?.stop();
  });
  afterEach(async () => {
    const catalog = current;
    current = null;
    await catalog?.close();
    if (catalog) removeDir(catalog.dataDir);
    await sim?.resetFaults();
  });
  return bed;
}
