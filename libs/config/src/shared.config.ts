import type { z } from 'zod';
import { choice, LOG_LEVELS, natsUrl, text } from './fields.js';

/** Variables every app reads; each app's schema spreads this shape into its own. */
export const sharedVariables = {
  NATS_URL: natsUrl(),
  E2GATE_DATA_DIR: text('./data'),
  LOG_LEVEL: choice(LOG_LEVELS, 'info'),
};

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The part of every app's config that `sharedVariables` fills. */
export interface SharedConfig {
  natsUrl: string;
  dataDir: string;
  logLevel: LogLevel;
}

type SharedVars = { [K in keyof typeof sharedVariables]: z.output<(typeof sharedVariables)[K]> };

export function sharedConfig(vars: SharedVars): SharedConfig {
  return { natsUrl: vars.NATS_URL, dataDir: vars.E2GATE_DATA_DIR, logLevel: vars.LOG_LEVEL };
}
