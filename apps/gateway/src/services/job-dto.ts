import type { JobRecord } from '@e2gate/contracts';
import type { JobDto } from '../dto/job.dto.js';

/** How long an artefact link in a job answer stays valid. */
export const ARTIFACT_LINK_TTL_SECONDS = 12 * 3600;

/** Signs a path for `stream` access, valid for the given seconds; returns the path with its query. */
export type LinkSigner = (path: string, ttlSeconds: number) => string;

/** The public shape of a job record: no lease, boot id, queue sequence or receiver file path. */
export function jobDto(job: JobRecord, sign: LinkSigner): JobDto {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    class: job.class,
    pool: job.pool,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    timeoutSec: job.timeoutSec,
    ...(job.nodeId === undefined ? {} : { node: job.nodeId }),
    ...(job.spec.kind === 'recording' ? { title: job.spec.recording.title } : {}),
    ...(job.spec.kind === 'remux' ? { title: job.spec.title } : {}),
    createdAt: job.createdAt,
    queuedAt: job.queuedAt,
    ...(job.startedAt === undefined ? {} : { startedAt: job.startedAt }),
    ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
    ...(job.retryAt === undefined ? {} : { retryAt: job.retryAt }),
    ...(job.progress === undefined ? {} : { progress: job.progress }),
    ...(job.failure === undefined ? {} : { failure: job.failure }),
    ...(job.result === undefined
      ? {}
      : {
          result: {
            ...job.result,
            url: sign(`/api/v1/artifacts/${job.result.artifactId}`, ARTIFACT_LINK_TTL_SECONDS),
          },
        }),
    ...(job.reason === undefined ? {} : { reason: job.reason }),
  };
}
