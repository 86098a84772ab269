import type { JobClass, JobKind, JobPool, JobRecord, JobState } from '@e2gate/contracts';

export interface JobFilter {
  state?: JobState;
  kind?: JobKind;
  node?: string;
}

export interface JobPageQuery extends JobFilter {
  offset: number;
  limit: number;
}

/** States in which a job waits for a worker (and counts against its class's queue bound). */
const WAITING: ReadonlySet<JobState> = new Set(['queued', 'retry_wait']);

/**
 * Every job record in memory, fed by a watch of the `jobs` bucket: listing and filtering 10,000 jobs is a scan of
 * an array, not 10,000 reads. Ids are ULIDs, so sorting by id sorts by creation time.
 */
export class JobIndex {
  private readonly jobs = new Map<string, JobRecord>();
  /** When each record was last written (epoch ms): a record unchanged for the retention time has left the bucket. */
  private readonly writtenAt = new Map<string, number>();
  /** Ids, newest first; rebuilt on the first read after an insert or removal. */
  private order: string[] | null = [];

  get size(): number {
    return this.jobs.size;
  }

  upsert(job: JobRecord, writtenAtMs: number): void {
    if (!this.jobs.has(job.id)) this.order = null;
    this.jobs.set(job.id, job);
    this.writtenAt.set(job.id, writtenAtMs);
  }

  remove(jobId: string): void {
    this.writtenAt.delete(jobId);
    if (this.jobs.delete(jobId)) this.order = null;
  }

  /** Forgets records last written before `beforeMs` (the bucket's TTL removed them without an event). */
  prune(beforeMs: number): void {
    for (const [jobId, at] of this.writtenAt) if (at < beforeMs) this.remove(jobId);
  }

  get(jobId: string): JobRecord | undefined {
    return this.jobs.get(jobId);
  }

  page(query: JobPageQuery): { total: number; items: JobRecord[] } {
    const items: JobRecord[] = [];
    let total = 0;
    for (const id of this.newestFirst()) {
      const job = this.jobs.get(id) as JobRecord;
      if (query.state !== undefined && job.state !== query.state) continue;
      if (query.kind !== undefined && job.kind !== query.kind) continue;
      if (query.node !== undefined && job.nodeId !== query.node) continue;
      if (total >= query.offset && items.length < query.limit) items.push(job);
      total++;
    }
    return { total, items };
  }

  /** Jobs waiting for a worker in the class (queued or waiting to retry). */
  waiting(jobClass: JobClass): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.class === jobClass && WAITING.has(job.state)) count++;
    return count;
  }

  /** Queued jobs of pools outside `offered` that have waited since before `queuedBefore` (epoch ms). */
  stranded(offered: ReadonlySet<JobPool>, queuedBefore: number): JobRecord[] {
    const out: JobRecord[] = [];
    for (const job of this.jobs.values()) {
      if (job.state === 'queued' && !offered.has(job.pool) && Date.parse(job.queuedAt) < queuedBefore) {
        out.push(job);
      }
    }
    return out;
  }

  /** Per class: jobs waiting for a worker and how long the oldest has waited (metrics). */
  queues(nowMs: number): { class: JobClass; depth: number; oldestSeconds: number }[] {
    const stats = new Map<JobClass, { class: JobClass; depth: number; oldestSeconds: number }>();
    for (const jobClass of ['live', 'interactive', 'batch'] as const) {
      stats.set(jobClass, { class: jobClass, depth: 0, oldestSeconds: 0 });
    }
    for (const job of this.jobs.values()) {
      if (!WAITING.has(job.state)) continue;
      const entry = stats.get(job.class)!;
      entry.depth++;
      entry.oldestSeconds = Math.max(entry.oldestSeconds, (nowMs - Date.parse(job.queuedAt)) / 1000);
    }
    return [...stats.values()];
  }

  /** Queued jobs, queued before `queuedBefore` (epoch ms), whose queue message was never confirmed. */
  undispatched(queuedBefore: number): JobRecord[] {
    const out: JobRecord[] = [];
    for (const job of this.jobs.values()) {
      if (
        job.state === 'queued' &&
        job.dispatchSeq === undefined &&
        Date.parse(job.queuedAt) < queuedBefore
      ) {
        out.push(job);
      }
    }
    return out;
  }

  /** Jobs by state, class and pool (metrics). */
  counts(): { state: JobState; class: JobClass; pool: JobPool; count: number }[] {
    const counts = new Map<string, { state: JobState; class: JobClass; pool: JobPool; count: number }>();
    for (const job of this.jobs.values()) {
      const key = `${job.state}|${job.class}|${job.pool}`;
      const entry = counts.get(key) ?? { state: job.state, class: job.class, pool: job.pool, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    return [...counts.values()];
  }

  private newestFirst(): string[] {
    if (!this.order) this.order = [...this.jobs.keys()].sort().reverse();
    return this.order;
  }
}
