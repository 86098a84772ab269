import { setTimeout as sleep } from 'node:timers/promises';
import type { NoopJobSpec } from '@e2gate/contracts';
import { JobRunError, type JobRunContext, type JobRunner, type JobRunOutput } from './job-runner.js';

const STEP_MS = 1_000;

/** The `noop` kind: holds its slot for `durationMs` with progress every second, failing on purpose when asked. */
export class NoopRunner implements JobRunner {
  async run({ job, signal, progress }: JobRunContext): Promise<JobRunOutput> {
    const spec = job.spec as NoopJobSpec;
    let elapsed = 0;
    while (elapsed < spec.durationMs) {
      const step = Math.min(STEP_MS, spec.durationMs - elapsed);
      await sleep(step, undefined, { signal });
      elapsed += step;
      progress({ fraction: elapsed / spec.durationMs });
    }
    if (job.attempt <= spec.failAttempts) {
      throw new JobRunError(spec.failClass, 'JOB_NOOP_FAILURE', `attempt ${job.attempt} fails on purpose`);
    }
    return {};
  }
}
