import {
  canTransition,
  isTerminal,
  RETRYABLE_FAILURES,
  type FailureClass,
  type JobFailure,
  type JobRecord,
  type JobState,
} from './jobs.js';

/**
 * The decisions of the job state machine, pure: each takes the stored record and returns the next one (written by
 * compare-and-set on the record's revision), `null` for "nothing to write", or throws {@link JobConflict}.
 */

/** A transition the state machine does not allow from the stored state; the caller re-reads and re-decides. */
export class JobConflict extends Error {
  constructor(
    readonly job: JobRecord,
    readonly wanted: JobState,
  ) {
    super(`job ${job.id} is ${job.state} (attempt ${job.attempt}); cannot move to ${wanted}`);
    this.name = 'JobConflict';
  }
}

/** The holder of one attempt: what fences its writes. */
export interface AttemptLease {
  attempt: number;
  leaseId: string;
}

const HELD_STATES: ReadonlySet<JobState> = new Set(['claimed', 'running', 'cancel_requested']);

/** The record moved to `to` with `patch` applied; throws when the table forbids the move. */
export function moveJob(job: JobRecord, to: JobState, patch: Partial<JobRecord> = {}): JobRecord {
  if (!canTransition(job.state, to)) throw new JobConflict(job, to);
  return { ...job, ...patch, state: to };
}

/** True while `lease` still holds the job: same attempt, same lease, and the attempt not over. */
export function holds(job: JobRecord, lease: AttemptLease): boolean {
  return job.attempt === lease.attempt && job.leaseId === lease.leaseId && HELD_STATES.has(job.state);
}

export type DeliveryDecision =
  /** Claim it (after `requeue`, the lost or retried attempt's successor). */
  | { action: 'claim'; requeue?: { failure?: JobFailure; reason: string } }
  /** Drop the message: the job is over, or gone. */
  | { action: 'term'; reason: string }
  /** Not yet: deliver again after the delay (a live holder, a retry not yet due). */
  | { action: 'nak'; delayMs: number; reason: string }
  /** The holder died while the job was being canceled: finish the cancel. */
  | { action: 'cancel' }
  /** The holder died on its last attempt: the job fails. */
  | { action: 'fail'; failure: JobFailure };

export interface DeliveryContext {
  nowMs: number;
  /** Is the node (and boot) that holds the job still heartbeating? */
  holderAlive: boolean;
  /** How long to wait before looking again at a job a live node holds. */
  leaseMs: number;
}

/** jobs.md §7: what a worker does with a queue message for `job`. */
export function decideDelivery(job: JobRecord | null, context: DeliveryContext): DeliveryDecision {
  if (!job) return { action: 'term', reason: 'no such job' };
  if (isTerminal(job.state)) return { action: 'term', reason: `job is ${job.state}` };
  switch (job.state) {
    case 'queued':
      return { action: 'claim' };
    case 'retry_wait': {
      const due = job.retryAt ? Date.parse(job.retryAt) : 0;
      if (due > context.nowMs)
        return { action: 'nak', delayMs: due - context.nowMs, reason: 'retry not due' };
      return { action: 'claim', requeue: { reason: 'retry due' } };
    }
    default: {
      if (context.holderAlive)
        return { action: 'nak', delayMs: context.leaseMs, reason: 'held by a live node' };
      if (job.state === 'cancel_requested') return { action: 'cancel' };
      const failure: JobFailure = {
        class: 'platform_error',
        code: 'JOB_WORKER_LOST',
        message: `node ${job.nodeId ?? '?'} stopped heartbeating during attempt ${job.attempt}`,
      };
      if (job.attempt >= job.maxAttempts) return { action: 'fail', failure };
      return { action: 'claim', requeue: { failure, reason: 'worker lost' } };
    }
  }
}

/** The next attempt of a job whose attempt ended without success (retry due, holder lost). */
export function requeueJob(job: JobRecord, nowIso: string, reason: string, failure?: JobFailure): JobRecord {
  // claimed → queued directly (the lease was lost before the work started); running goes through retry_wait.
  const last = failure ?? job.failure;
  const from =
    job.state === 'running' ? moveJob(job, 'retry_wait', { failure: last }) : { ...job, failure: last };
  return {
    ...moveJob(from, 'queued', { queuedAt: nowIso, reason }),
    attempt: job.attempt + 1,
    leaseId: undefined,
    nodeId: undefined,
    bootId: undefined,
    deadlineAt: undefined,
    claimedAt: undefined,
    startedAt: undefined,
    retryAt: undefined,
    progress: undefined,
  };
}

/** Retry delays by failure class, in units of the configured base (10 s by default); a `timeout` is retried once. */
const RETRY_STEPS: Readonly<Partial<Record<FailureClass, readonly number[]>>> = {
  runtime_error: [1, 6, 30],
  network_error: [0.5, 3, 12],
  resource_error: [3, 12, 60],
  timeout: [1],
  platform_error: [0, 1, 6],
};

export interface RetryPlan {
  retry: boolean;
  /** Delay before the next attempt (with ±20 % jitter). */
  delayMs: number;
}

/** Whether a failed attempt is retried and after how long: by failure class, attempts left, and the class's steps. */
export function planRetry(
  job: Pick<JobRecord, 'attempt' | 'maxAttempts'>,
  failure: FailureClass,
  baseMs: number,
  random: () => number = Math.random,
): RetryPlan {
  const steps = RETRY_STEPS[failure];
  if (!RETRYABLE_FAILURES.has(failure) || !steps) return { retry: false, delayMs: 0 };
  if (job.attempt >= job.maxAttempts) return { retry: false, delayMs: 0 };
  if (failure === 'timeout' && job.attempt > 1) return { retry: false, delayMs: 0 };
  const step = steps[Math.min(job.attempt - 1, steps.length - 1)] ?? 0;
  const jitter = 0.8 + 0.4 * random();
  return { retry: true, delayMs: Math.round(step * baseMs * jitter) };
}
