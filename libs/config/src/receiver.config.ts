import type { z } from 'zod';
import { duration, httpUrl, integer, optionalText } from './fields.js';

/** How an app reaches the receiver's web API: every app that talks to the box (catalog, transcoder) reads these. */
export const receiverVariables = {
  E2GATE_RECEIVER_URL: httpUrl(),
  E2GATE_RECEIVER_USER: optionalText(256),
  E2GATE_RECEIVER_PASSWORD: optionalText(256),
  E2GATE_RECEIVER_TIMEOUT: duration({ default: '15s', min: '100ms', max: '5m' }),
  E2GATE_RECEIVER_RETRIES: integer({ default: 3, min: 0, max: 10 }),
  // For the whole box: a budget shared through NATS by every process that talks to it.
  E2GATE_RECEIVER_MAX_RPS: integer({ default: 10, min: 1, max: 1000 }),
};

export interface ReceiverConnection {
  url: string;
  user?: string;
  password?: string;
  timeoutMs: number;
  retries: number;
  maxRps: number;
}

type ReceiverVars = { [K in keyof typeof receiverVariables]: z.output<(typeof receiverVariables)[K]> };

export function receiverConnection(vars: ReceiverVars): ReceiverConnection {
  return {
    url: vars.E2GATE_RECEIVER_URL,
    ...(vars.E2GATE_RECEIVER_USER === undefined ? {} : { user: vars.E2GATE_RECEIVER_USER }),
    ...(vars.E2GATE_RECEIVER_PASSWORD === undefined ? {} : { password: vars.E2GATE_RECEIVER_PASSWORD }),
    timeoutMs: vars.E2GATE_RECEIVER_TIMEOUT,
    retries: vars.E2GATE_RECEIVER_RETRIES,
    maxRps: vars.E2GATE_RECEIVER_MAX_RPS,
  };
}
