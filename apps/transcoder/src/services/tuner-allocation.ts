/**
 * Which transponders hold a tuner and which sessions use each (the `tuners` record, shared by every transcoder
 * node and changed only by compare-and-set). Pure.
 */
export interface TunerAllocation {
  /** Transponder key → ids of the sessions using it. */
  transponders: Record<string, string[]>;
}

export const EMPTY_ALLOCATION: TunerAllocation = { transponders: {} };

export type AllocationResult =
  { ok: true; allocation: TunerAllocation; shared: boolean } | { ok: false; inUse: number };

/** Adds a session: it shares the tuner of its transponder when one is held, else takes a free one. */
export function allocateTuner(
  allocation: TunerAllocation,
  transponder: string,
  sessionId: string,
  tuners: number,
): AllocationResult {
  const users = allocation.transponders[transponder];
  if (users) {
    const next = users.includes(sessionId) ? users : [...users, sessionId];
    return {
      ok: true,
      shared: true,
      allocation: { transponders: { ...allocation.transponders, [transponder]: next } },
    };
  }
  const inUse = Object.keys(allocation.transponders).length;
  if (inUse >= tuners) return { ok: false, inUse };
  return {
    ok: true,
    shared: false,
    allocation: { transponders: { ...allocation.transponders, [transponder]: [sessionId] } },
  };
}

/** Removes sessions (ended, or lapsed with a dead node); a transponder nobody uses frees its tuner. */
export function releaseTuners(
  allocation: TunerAllocation,
  gone: (sessionId: string) => boolean,
): TunerAllocation {
  const transponders: Record<string, string[]> = {};
  for (const [transponder, users] of Object.entries(allocation.transponders)) {
    const kept = users.filter((sessionId) => !gone(sessionId));
    if (kept.length > 0) transponders[transponder] = kept;
  }
  return { transponders };
}

export function tunersInUse(allocation: TunerAllocation): number {
  return Object.keys(allocation.transponders).length;
}
