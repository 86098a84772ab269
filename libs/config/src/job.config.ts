import type { z } from 'zod';
import { duration, integer } from './fields.js';

/**
 * Transcode-job settings the gateway (submit, admission) and the transcoders (workers) both read; each app's
 * schema spreads this shape into its own, so one `.env` line configures both sides.
 */
export const jobVariables = {
  // Finished jobs, their transition history and their artefacts are kept this long.
  E2GATE_JOB_RETENTION: duration({ default: '7d', min: '1h', max: '365d' }),
  // JetStream reserves every stream's max_bytes against its store limit (75 % of the free disk by default): keep the
  // default modest; raise it where the disk allows.
  E2GATE_ARTIFACT_STORE_MAX_BYTES: integer({ default: 4 * 1024 ** 3, min: 64 * 1024 ** 2, max: 1024 ** 5 }),
  // Jobs waiting per class (live, interactive, batch); a submit beyond is refused with 429 JOB_QUEUE_FULL.
  E2GATE_JOB_QUEUE_MAX: integer({ default: 1_000, min: 1, max: 100_000 }),
  // Liveness lease of a running attempt (the queue message's ack wait), renewed every third of it.
  E2GATE_JOB_LEASE: duration({ default: '15s', min: '1s', max: '5m' }),
  // Unit of the retry delays (runtime errors wait 1, 6, 30 units; network errors 0.5, 3, 12; …).
  E2GATE_JOB_RETRY_BASE: duration({ default: '10s', min: '0s', max: '10m' }),
};

export interface JobConfig {
  retentionMs: number;
  artifactMaxBytes: number;
  /** Per class; the work-queue stream holds three times this (every class) at most. */
  queueMaxPerClass: number;
  leaseMs: number;
  retryBaseMs: number;
}

type JobVars = { [K in keyof typeof jobVariables]: z.output<(typeof jobVariables)[K]> };

export function jobConfig(vars: JobVars): JobConfig {
  return {
    retentionMs: vars.E2GATE_JOB_RETENTION,
    artifactMaxBytes: vars.E2GATE_ARTIFACT_STORE_MAX_BYTES,
    queueMaxPerClass: vars.E2GATE_JOB_QUEUE_MAX,
    leaseMs: vars.E2GATE_JOB_LEASE,
    retryBaseMs: vars.E2GATE_JOB_RETRY_BASE,
  };
}
