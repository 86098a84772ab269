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
