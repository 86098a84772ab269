import { z } from 'zod';
import { boolean, csvList, duration, host, integer } from './fields.js';
import { loadConfig, processEnv } from './load.js';
import { receiverConnection, receiverVariables, type ReceiverConnection } from './receiver.config.js';
import { sharedConfig, sharedVariables, type SharedConfig } from './shared.config.js';
import { snapshotReadLimits, type SnapshotReadLimits } from './snapshot-limits.js';

const catalogSchema = z.object({
  ...sharedVariables,
  ...receiverVariables,
  E2GATE_BOUQUETS: csvList(),
  E2GATE_RADIO: boolean(false),
  E2GATE_EPG_DAYS: integer({ default: 7, min: 1, max: 14 }),
  E2GATE_REFRESH_INTERVAL: duration({ default: '4h', min: '1s', max: '7d' }),
  E2GATE_REFRESH_TIMEOUT: duration({ default: '30m', min: '1s', max: '6h' }),
  E2GATE_REFRESH_LEASE: duration({ default: '30s', min: '1s', max: '10m' }),
  // While the first full EPG loads, the guide read so far is published this often.
  E2GATE_EPG_PUBLISH_INTERVAL: duration({ default: '30s', min: '1s', max: '10m' }),
  E2GATE_RECEIVER_CONCURRENCY: integer({ default: 4, min: 1, max: 64 }),
  // One EPG request at a time per box (reference/openwebif.md §7): EPG lookups are what wedges slow receivers.
  E2GATE_RECEIVER_EPG_CONCURRENCY: integer({ default: 1, min: 1, max: 64 }),
  E2GATE_PICON_CONCURRENCY: integer({ default: 4, min: 1, max: 32 }),
  E2GATE_PICON_MAX_AGE: duration({ default: '24h', min: '1m', max: '30d' }),
  // 5.6× a 1,500-channel week (92 MiB, docs/benchmarks.md), and still stops a forged snapshot or a gzip bomb.
  E2GATE_SNAPSHOT_MAX_MB: integer({ default: 512, min: 16, max: 8192 }),
  E2GATE_CATALOG_HTTP_HOST: host('0.0.0.0'),
  E2GATE_CATALOG_HTTP_PORT: integer({ default: 8091, min: 0, max: 65535 }),
});

export interface CatalogConfig extends SharedConfig {
  receiver: ReceiverConnection & {
    concurrency: number;
    epgConcurrency: number;
    timeoutMs: number;
    retries: number;
  };
  bouquets: string[];
  /** Radio bouquets too (after the TV ones); their services become channels like any other. */
  radio: boolean;
  epgDays: number;
  refreshIntervalMs: number;
  refreshTimeoutMs: number;
  /** Cluster refresh lease: renewed every third of it while a refresh runs; an unrenewed lease is free. */
  refreshLeaseMs: number;
  /** While the first full EPG is read, a snapshot with the guide read so far is published this often. */
  epgPublishIntervalMs: number;
  piconConcurrency: number;
  piconMaxAgeMs: number;
  snapshotReadLimits: SnapshotReadLimits;
  http: { host: string; port: number };
}

export function loadCatalogConfig(
  env: Record<string, string | undefined> = processEnv(),
): Readonly<CatalogConfig> {
  return loadConfig(
    catalogSchema,
    (vars) => ({
      ...sharedConfig(vars),
      receiver: {
        ...receiverConnection(vars),
        concurrency: vars.E2GATE_RECEIVER_CONCURRENCY,
        epgConcurrency: Math.min(vars.E2GATE_RECEIVER_EPG_CONCURRENCY, vars.E2GATE_RECEIVER_CONCURRENCY),
      },
      bouquets: vars.E2GATE_BOUQUETS,
      radio: vars.E2GATE_RADIO,
      epgDays: vars.E2GATE_EPG_DAYS,
      refreshIntervalMs: vars.E2GATE_REFRESH_INTERVAL,
      refreshTimeoutMs: vars.E2GATE_REFRESH_TIMEOUT,
      refreshLeaseMs: vars.E2GATE_REFRESH_LEASE,
      epgPublishIntervalMs: vars.E2GATE_EPG_PUBLISH_INTERVAL,
      piconConcurrency: vars.E2GATE_PICON_CONCURRENCY,
      piconMaxAgeMs: vars.E2GATE_PICON_MAX_AGE,
      snapshotReadLimits: snapshotReadLimits(vars.E2GATE_SNAPSHOT_MAX_MB),
      http: { host: vars.E2GATE_CATALOG_HTTP_HOST, port: vars.E2GATE_CATALOG_HTTP_PORT },
    }),
    env,
  );
}

/** Variable names with their defaults, for docs/configuration.md (kept honest by a unit test). */
export const CATALOG_VARIABLES = Object.keys(catalogSchema.shape);
