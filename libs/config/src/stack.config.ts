import { z } from 'zod';
import { httpUrl, integer } from './fields.js';
import { loadConfig, processEnv } from './load.js';
import { sharedVariables } from './shared.config.js';

/** What the one-command launcher (`npm start`) needs; each app still validates its own config. */
const stackSchema = z.object({
  // Unset has a meaning of its own here (start a nats-server), so not the apps' shared field with its default.
  NATS_URL: z.string().trim().optional(),
  E2GATE_RECEIVER_URL: httpUrl().optional(),
  E2GATE_DATA_DIR: sharedVariables.E2GATE_DATA_DIR,
  E2GATE_NATS_PORT: integer({ default: 4222, min: 0, max: 65535 }),
  E2GATE_DEMO_BOUQUETS: integer({ default: 4, min: 1, max: 100 }),
  E2GATE_DEMO_CHANNELS: integer({ default: 40, min: 1, max: 10_000 }),
  E2GATE_DEMO_WEB_PORT: integer({ default: 0, min: 0, max: 65535 }),
});

export interface StackConfig {
  /** Unset: the launcher starts its own nats-server with JetStream in the data dir. */
  natsUrl?: string;
  /** Unset: the launcher starts the built-in demo receiver (simulator). */
  receiverUrl?: string;
  dataDir: string;
  natsPort: number;
  demo: { bouquets: number; channels: number; webPort: number };
  /**
   * The launcher's environment, the base of every app's (the launcher adds NATS_URL and E2GATE_RECEIVER_URL);
   * apps that never talk to the receiver get it through `withoutReceiverVariables`.
   */
  env: Record<string, string | undefined>;
}

export function loadStackConfig(
  env: Record<string, string | undefined> = processEnv(),
): Readonly<StackConfig> {
  return loadConfig(
    stackSchema,
    (vars) => ({
      ...(vars.NATS_URL ? { natsUrl: vars.NATS_URL } : {}),
      ...(vars.E2GATE_RECEIVER_URL ? { receiverUrl: vars.E2GATE_RECEIVER_URL } : {}),
      dataDir: vars.E2GATE_DATA_DIR,
      natsPort: vars.E2GATE_NATS_PORT,
      demo: {
        bouquets: vars.E2GATE_DEMO_BOUQUETS,
        channels: vars.E2GATE_DEMO_CHANNELS,
        webPort: vars.E2GATE_DEMO_WEB_PORT,
      },
      env: { ...env },
    }),
    env,
  );
}

export const STACK_VARIABLES = Object.keys(stackSchema.shape);

/** Receiver address, credentials and limits: `E2GATE_RECEIVER_URL`, `…_USER`, `…_PASSWORD`, `…_MAX_RPS`, … */
export const RECEIVER_VARIABLE_PREFIX = 'E2GATE_RECEIVER_';

/**
 * `env` without any receiver variable, for apps that never talk to the receiver (the gateway): receiver
 * credentials never reach them (DESIGN §1), not even through the environment a launcher hands down.
 */
export function withoutReceiverVariables(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.toUpperCase().startsWith(RECEIVER_VARIABLE_PREFIX)),
  );
}
