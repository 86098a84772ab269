import type { Job } from '../lib/types.js';

const FINAL = new Set(['succeeded', 'failed', 'canceled', 'rejected']);

export function isFinal(job: Job): boolean {
  return FINAL.has(job.state);
}

/**
 * Follows a job over its event stream (`GET /api/v1/jobs/<id>/events`): the record, every transition, progress
 * about once a second. Closed once the job is final (EventSource would otherwise reconnect when the server ends it).
 */
export function watchJob(
  jobId: string,
  onJob: (job: Job) => void,
  onProgress: (fraction: number) => void,
): () => void {
  const source = new EventSource(`/api/v1/jobs/${jobId}/events`);
  source.addEventListener('job', (event) => {
    const job = JSON.parse((event as MessageEvent<string>).data) as Job;
    onJob(job);
    if (isFinal(job)) source.close();
  });
  source.addEventListener('progress', (event) => {
    const message = JSON.parse((event as MessageEvent<string>).data) as { progress?: { fraction?: number } };
    if (typeof message.progress?.fraction === 'number') onProgress(message.progress.fraction);
  });
  return () => source.close();
}
