import { randomBytes } from 'node:crypto';

/**
 * Transcode jobs (reference/jobs.md): the record of truth is one `jobs` KV entry per job, every change a
 * compare-and-set; the `JOBS` work queue carries only `{jobId, attempt}`.
 */

export const JOB_STATES = [
  'queued',
  'claimed',
  'running',
  'retry_wait',
  'cancel_requested',
  'succeeded',
  'failed',
  'canceled',
  'rejected',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set([
  'succeeded',
  'failed',
  'canceled',
  'rejected',
]);

/** jobs.md §2: the only transitions there are. */
const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['claimed', 'canceled', 'rejected', 'failed'],
  claimed: ['running', 'queued', 'cancel_requested', 'failed'],
  running: ['succeeded', 'failed', 'retry_wait', 'cancel_requested'],
  retry_wait: ['queued', 'canceled', 'failed'],
  cancel_requested: ['canceled', 'failed'],
  succeeded: [],
  // A failed job may be retried by a user (`POST …/retry`): a new attempt, queued again.
  failed: ['queued'],
  canceled: [],
  rejected: [],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminal(state: JobState): boolean {
  return TERMINAL_JOB_STATES.has(state);
}

/** Who is waiting: a viewer (seconds matter), a user (minutes), nobody in particular. */
export const JOB_CLASSES = ['live', 'interactive', 'batch'] as const;
export type JobClass = (typeof JOB_CLASSES)[number];

/** Capability pools: the encoder a job needs, part of its queue subject (no head-of-line blocking across pools). */
export const JOB_POOLS = ['cpu', 'vaapi-h264', 'nvenc-h264'] as const;
export type JobPool = (typeof JOB_POOLS)[number];

/**
 * `recording`: a receiver recording made browser-ready (MP4, AAC audio, video copied or transcoded).
 * `remux`: the same for any transport stream file the receiver serves by URL, or one uploaded as an artefact.
 * `noop`: a synthetic job that holds a slot for a while and can fail on purpose: a canary for operators and the
 * load the benchmark and the fault tests put through the whole path (admin only).
 */
export const JOB_KINDS = ['recording', 'remux', 'noop'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** jobs.md §3. */
export const FAILURE_CLASSES = [
  'input_error',
  'user_error',
  'capability_mismatch',
  'resource_error',
  'network_error',
  'runtime_error',
  'timeout',
  'platform_error',
  'canceled',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Failure classes worth another attempt (with backoff); the others end the job. */
export const RETRYABLE_FAILURES: ReadonlySet<FailureClass> = new Set([
  'resource_error',
  'network_error',
  'runtime_error',
  'timeout',
  'platform_error',
]);

export interface JobFailure {
  class: FailureClass;
  /** A stable error code (`ErrorCode` or `JOB_*`). */
  code: string;
  message: string;
}

export interface RecordingJobSpec {
  kind: 'recording';
  recording: { id: string; file: string; title: string; durationSeconds?: number; sizeBytes?: number };
  output: JobOutputSpec;
}

export interface RemuxJobSpec {
  kind: 'remux';
  /**
   * A file URL on the receiver (checked by the worker against the receiver it is configured for), or a transport
   * stream uploaded into the artefact store.
   */
  source: { url: string } | { artifactId: string };
  /** Names the output file. */
  title: string;
  output: JobOutputSpec;
}

export interface NoopJobSpec {
  kind: 'noop';
  /** How long the job runs (progress every second). */
  durationMs: number;
  /** The first this many attempts fail with `failClass` (tests of retries and dead letters). */
  failAttempts: number;
  failClass: FailureClass;
  /** A file of this many random bytes becomes the job's artefact (0: none). */
  outputBytes: number;
}

export interface JobOutputSpec {
  format: 'mp4';
  /** `auto`: copied when it is progressive H.264, else transcoded; `copy`: as broadcast; `h264`: always transcoded. */
  video: 'auto' | 'copy' | 'h264';
  /** ISO 639-2 codes of the audio tracks to keep; empty: all. */
  languages: string[];
}

export type JobSpec = RecordingJobSpec | RemuxJobSpec | NoopJobSpec;

export interface JobProgress {
  /** 0–1; absent while the length is unknown. */
  fraction?: number;
  /** Seconds of media done. */
  mediaSeconds?: number;
  /** Media seconds per wall-clock second. */
  speed?: number;
  updatedAt: string;
}

export interface JobResult {
  artifactId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  durationSeconds?: number;
}

export interface JobRecord {
  id: string;
  kind: JobKind;
  spec: JobSpec;
  class: JobClass;
  pool: JobPool;
  state: JobState;
  /** The current attempt, from 1; only a retry (or a lost holder) moves it on. */
  attempt: number;
  maxAttempts: number;
  timeoutSec: number;
  /** Holder of the current attempt: every write of the attempt carries (attempt, leaseId) and is fenced by it. */
  leaseId?: string;
  nodeId?: string;
  bootId?: string;
  /** When the current attempt must have ended (claim time + timeoutSec). */
  deadlineAt?: string;
  createdAt: string;
  queuedAt: string;
  claimedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** When a job in `retry_wait` becomes due. */
  retryAt?: string;
  progress?: JobProgress;
  failure?: JobFailure;
  result?: JobResult;
  /** Sequence of the current attempt's queue message (to delete it when the job ends before it is pulled). */
  dispatchSeq?: number;
  /** Name of the token that submitted the job. */
  owner?: string;
  /** Why the job was canceled, retried or failed by the platform, in words. */
  reason?: string;
}

/** One transition, appended to the `JOB_EVENTS` stream (the KV record keeps only the latest state). */
export interface JobTransitionEvent {
  jobId: string;
  from: JobState | null;
  to: JobState;
  at: string;
  attempt: number;
  nodeId?: string;
  reason?: string;
}

/** The queue message: only what finds the record. */
export interface JobDispatchMessage {
  jobId: string;
  attempt: number;
}

/** Ephemeral progress on `jobs.progress.<jobId>` (~1 Hz). */
export interface JobProgressMessage {
  jobId: string;
  attempt: number;
  progress: JobProgress;
}

/** `jobs.control.<jobId>`: stop the attempt now (the record already says why). */
export interface JobControlMessage {
  jobId: string;
  action: 'cancel';
}

// Crockford base32 (no I, L, O, U): ULIDs sort by creation time as text.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const JOB_ID_PATTERN = /^job_[0-9A-HJKMNP-TV-Z]{26}$/;
export const ARTIFACT_ID_PATTERN = /^art_[0-9A-HJKMNP-TV-Z]{26}$/;

/** A ULID (48-bit milliseconds + 80 random bits) as 26 Crockford characters. */
export function ulid(nowMs: number = Date.now(), random: Buffer = randomBytes(10)): string {
  let time = '';
  let ms = Math.floor(nowMs);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  let rest = '';
  let bits = 0;
  let value = 0;
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      rest += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return time + rest;
}

export function newJobId(nowMs?: number): string {
  return `job_${ulid(nowMs)}`;
}

export function newArtifactId(nowMs?: number): string {
  return `art_${ulid(nowMs)}`;
}

/** KV key of a job record. */
export function jobKey(jobId: string): string {
  return `j.${jobId}`;
}

/** KV key of an idempotency key's claim (`digest`: hex SHA-256 of the submitter and the client's key). */
export function idempotencyKey(digest: string): string {
  return `idem.${digest}`;
}

export const JobSubject = {
  dispatch: (pool: JobPool, jobClass: JobClass) => `jobs.dispatch.${pool}.${jobClass}`,
  event: (jobId: string, state: JobState) => `jobs.evt.${jobId}.${state}`,
  events: (jobId: string) => `jobs.evt.${jobId}.*`,
  progress: (jobId: string) => `jobs.progress.${jobId}`,
  control: (jobId: string) => `jobs.control.${jobId}`,
  /** Every control message (workers subscribe once). */
  controlAll: 'jobs.control.*',
  /** Rung after an enqueue so idle workers of the pool pull at once instead of at their next poll. */
  doorbell: (pool: JobPool) => `jobs.doorbell.${pool}`,
  deadLetter: (jobId: string) => `jobs.dlq.${jobId}`,
} as const;

export const JobStream = { Jobs: 'JOBS', Events: 'JOB_EVENTS', DeadLetters: 'JOBS_DLQ' } as const;

/** Durable pull consumer of one (pool, class) (work-queue streams need non-overlapping filters). */
export function jobConsumerName(pool: JobPool, jobClass: JobClass): string {
  return `jobs-${pool}-${jobClass}`;
}

/** The pools a node can serve from the video encoders its probe found working. */
export function poolsForEncoders(encoders: readonly string[]): JobPool[] {
  const pools: JobPool[] = ['cpu'];
  if (encoders.includes('vaapi')) pools.push('vaapi-h264');
  if (encoders.includes('nvenc')) pools.push('nvenc-h264');
  return pools;
}
