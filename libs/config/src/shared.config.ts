import type { z } from 'zod';
import { choice, duration, integer, LOG_LEVELS, natsUrl, optionalText, text } from './fields.js';
import { ConfigError } from './load.js';

/** Variables every app reads; each app's schema spreads this shape into its own. */
export const sharedVariables = {
  NATS_URL: natsUrl(),
  // A file holding the service's NKey seed (`npm start` generates one per service, docs/deploy/nats-security.md).
  E2GATE_NATS_NKEY_FILE: optionalText(4096),
  E2GATE_NATS_USER: optionalText(256),
  E2GATE_NATS_PASSWORD: optionalText(1024),
  // CA bundle that signed the NATS server's certificate: the connection then requires TLS.
  E2GATE_NATS_TLS_CA: optionalText(4096),
  // Copies of every bucket and stream the services create: 3 on a three-node JetStream cluster (docs/deploy).
  E2GATE_NATS_REPLICAS: integer({ default: 1, min: 1, max: 5 }),
  E2GATE_DATA_DIR: text('./data'),
  // SIGTERM → exit, all of it (docs/operations.md § Start, stop): a shutdown that takes longer exits 1.
  E2GATE_SHUTDOWN_BUDGET: duration({ default: '20s', min: '3s', max: '10m' }),
  LOG_LEVEL: choice(LOG_LEVELS, 'info'),
};

export type LogLevel = (typeof LOG_LEVELS)[number];

/** How a service proves who it is to NATS: an NKey seed (preferred) or a user and password. */
export type NatsCredentials =
  { kind: 'nkey'; seedFile: string } | { kind: 'password'; user: string; password: string };

/** The part of every app's config that `sharedVariables` fills. */
export interface SharedConfig {
  natsUrl: string;
  /** Absent: connect without credentials (a server without authorization, e.g. a developer's own). */
  natsCredentials?: NatsCredentials;
  natsTlsCaFile?: string;
  /** Replicas of the buckets and streams this service creates. */
  natsReplicas: number;
  dataDir: string;
  logLevel: LogLevel;
  /** The whole shutdown after SIGTERM; what still runs then is cut off (exit 1). */
  shutdownBudgetMs: number;
}

type SharedVars = { [K in keyof typeof sharedVariables]: z.output<(typeof sharedVariables)[K]> };

export function sharedConfig(vars: SharedVars): SharedConfig {
  const credentials = natsCredentials(vars);
  return {
    natsUrl: vars.NATS_URL,
    ...(credentials ? { natsCredentials: credentials } : {}),
    ...(vars.E2GATE_NATS_TLS_CA ? { natsTlsCaFile: vars.E2GATE_NATS_TLS_CA } : {}),
    natsReplicas: vars.E2GATE_NATS_REPLICAS,
    dataDir: vars.E2GATE_DATA_DIR,
    logLevel: vars.LOG_LEVEL,
    shutdownBudgetMs: vars.E2GATE_SHUTDOWN_BUDGET,
  };
}

function natsCredentials(vars: SharedVars): NatsCredentials | undefined {
  const { E2GATE_NATS_NKEY_FILE: seedFile, E2GATE_NATS_USER: user, E2GATE_NATS_PASSWORD: password } = vars;
  if (seedFile && (user || password)) {
    throw new ConfigError([
      {
        variable: 'E2GATE_NATS_NKEY_FILE',
        message: 'set either it or E2GATE_NATS_USER/E2GATE_NATS_PASSWORD',
      },
    ]);
  }
  if (seedFile) return { kind: 'nkey', seedFile };
  if (user && password) return { kind: 'password', user, password };
  if (user || password) {
    throw new ConfigError([
      {
        variable: user ? 'E2GATE_NATS_PASSWORD' : 'E2GATE_NATS_USER',
        message: 'is required when the other of E2GATE_NATS_USER/E2GATE_NATS_PASSWORD is set',
      },
    ]);
  }
  return undefined;
}
