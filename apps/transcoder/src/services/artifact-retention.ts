import type { JobRecord } from '@e2gate/contracts';
import type { StoredArtifact } from '../repositories/artifact-store.repository.js';

/**
 * Which artefacts go before a new one of `incomingBytes` is stored: every one older than the retention time, then
 * the oldest until the new one fits the store's budget. Artefacts being written (`keep`) are never chosen.
 */
export function artifactsToDrop(
  stored: readonly StoredArtifact[],
  options: { incomingBytes: number; maxBytes: number; expiredBeforeMs: number; keep: ReadonlySet<string> },
): string[] {
  const drop: string[] = [];
  let total = 0;
  const survivors: StoredArtifact[] = [];
  for (const artifact of stored) {
    if (!options.keep.has(artifact.name) && artifact.writtenAtMs < options.expiredBeforeMs)
      drop.push(artifact.name);
    else {
      survivors.push(artifact);
      total += artifact.size;
    }
  }
  survivors.sort((a, b) => a.writtenAtMs - b.writtenAtMs);
  for (const artifact of survivors) {
    if (total + options.incomingBytes <= options.maxBytes) break;
    if (options.keep.has(artifact.name)) continue;
    drop.push(artifact.name);
    total -= artifact.size;
  }
  return drop;
}

/**
 * An artefact nobody will ever promote: written by an attempt whose worker died (or was fenced) between storing it
 * and the success write. Kept while its job is gone only for `graceMs` (a record may be written a moment later),
 * while its job's result names it, and while the attempt that wrote it still holds the job (its success write may
 * be on the way).
 */
export function isOrphan(
  artifact: StoredArtifact,
  job: JobRecord | null,
  nowMs: number,
  graceMs: number,
): boolean {
  if (artifact.jobId === undefined || nowMs - artifact.writtenAtMs < graceMs) return false;
  if (!job) return true;
  if (job.result?.artifactId === artifact.name) return false;
  const writerHolds =
    job.attempt === artifact.attempt &&
    (job.state === 'claimed' || job.state === 'running' || job.state === 'cancel_requested');
  return !writerHolds;
}
