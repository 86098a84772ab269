import type { SnapshotReadLimits } from '@e2gate/contracts';

const MiB = 1024 * 1024;
/** One line of the stored snapshot (the head, or one channel's guide) never needs more than this. */
const MAX_LINE_MIB = 32;

export type { SnapshotReadLimits };

/** How much of one stored catalog snapshot a service inflates and parses (`E2GATE_SNAPSHOT_MAX_MB`). */
export function snapshotReadLimits(maxMb: number): SnapshotReadLimits {
  return { maxInflatedBytes: maxMb * MiB, maxLineBytes: Math.min(maxMb, MAX_LINE_MIB) * MiB };
}
