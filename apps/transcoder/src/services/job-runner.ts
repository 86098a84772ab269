import type { FailureClass, JobProgress, JobRecord } from '@e2gate/contracts';

/** What a job kind's runner gets for one attempt. */
export interface JobRunContext {
  job: JobRecord;
  /** Aborted on cancel, timeout, lost lease or shutdown: stop at once and throw. */
  signal: AbortSignal;
  /** A directory of this attempt only (removed afterwards, whatever happens). */
  workDir: string;
  /** Reports progress (forwarded at most once a second). */
  progress(progress: Omit<JobProgress, 'updatedAt'>): void;
}

/** What an attempt produced: a file for the artefact store, or nothing (a canary). */
export interface JobRunOutput {
  file?: { path: string; fileName: string; contentType: string; durationSeconds?: number };
}

export interface JobRunner {
  run(context: JobRunContext): Promise<JobRunOutput>;
}

/** A failure the runner classified itself (jobs.md §3); anything else thrown counts as `runtime_error`. */
export class JobRunError extends Error {
  constructor(
    readonly failureClass: FailureClass,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobRunError';
  }
}
