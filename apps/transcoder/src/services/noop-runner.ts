import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NoopJobSpec } from '@e2gate/contracts';
import { JobRunError, type JobRunContext, type JobRunner, type JobRunOutput } from './job-runner.js';

const STEP_MS = 1_000;

/**
 * The `noop` kind: holds its slot for `durationMs` with progress every second, fails on purpose when asked, and
 * leaves a file of random bytes as its artefact when asked (the fault tests count artefacts).
 */
export class NoopRunner implements JobRunner {
  async run({ job, signal, workDir, progress }: JobRunContext): Promise<JobRunOutput> {
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
    if (!spec.outputBytes) return {};
    const path = join(workDir, 'output.bin');
    await writeFile(path, randomBytes(spec.outputBytes), { signal });
    return { file: { path, fileName: `${job.id}.bin`, contentType: 'application/octet-stream' } };
  }
}
