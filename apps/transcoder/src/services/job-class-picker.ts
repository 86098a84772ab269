import { JOB_CLASSES, type JobClass } from '@e2gate/contracts';

/** jobs.md §4: per pull cycle, live : interactive : batch = 8 : 3 : 1. */
export const CLASS_WEIGHTS: Readonly<Record<JobClass, number>> = { live: 8, interactive: 3, batch: 1 };

/**
 * The order in which a worker with free slots tries the classes' queues: smooth weighted round robin (so batch gets
 * its share while others wait and is never starved), except that a class nobody served for `agingMs` while it had
 * work goes first (aging). `batch` is skipped when it would take the node's last free slot (kept for `live` and
 * `interactive` work), unless the node has only one slot.
 */
export class JobClassPicker {
  private readonly credit: Record<JobClass, number> = { live: 0, interactive: 0, batch: 0 };
  private readonly servedAt: Record<JobClass, number>;

  constructor(
    private readonly agingMs: number,
    nowMs: number,
  ) {
    this.servedAt = { live: nowMs, interactive: nowMs, batch: nowMs };
  }

  /** Classes to try, best first. */
  order(freeSlots: number, totalSlots: number, nowMs: number): JobClass[] {
    const eligible = JOB_CLASSES.filter((c) => c !== 'batch' || freeSlots >= 2 || totalSlots === 1);
    if (eligible.length === 0 || freeSlots <= 0) return [];
    const aged = eligible
      .filter((c) => nowMs - this.servedAt[c] >= this.agingMs)
      .sort((a, b) => this.servedAt[a] - this.servedAt[b]);
    const total = eligible.reduce((sum, c) => sum + CLASS_WEIGHTS[c], 0);
    for (const c of eligible) this.credit[c] += CLASS_WEIGHTS[c];
    const byCredit = [...eligible].sort(
      (a, b) => this.credit[b] - this.credit[a] || CLASS_WEIGHTS[b] - CLASS_WEIGHTS[a],
    );
    const first = aged[0] ?? byCredit[0];
    if (first !== undefined) this.credit[first] -= total;
    return first === undefined ? [] : [first, ...byCredit.filter((c) => c !== first)];
  }

  /** A message of the class was pulled (or its queue was found empty: nothing was waiting to age). */
  served(jobClass: JobClass, nowMs: number): void {
    this.servedAt[jobClass] = nowMs;
  }
}
