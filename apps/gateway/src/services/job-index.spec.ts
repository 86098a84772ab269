import { describe, expect, it } from 'vitest';
import { newJobId, type JobRecord } from '@e2gate/contracts';
import { JobIndex } from './job-index.js';

const T0 = Date.parse('2026-12-06T10:00:00Z');

function job(offsetMs: number, patch: Partial<JobRecord> = {}): JobRecord {
  const at = new Date(T0 + offsetMs).toISOString();
  return {
    id: newJobId(T0 + offsetMs),
    kind: 'noop',
    spec: { kind: 'noop', durationMs: 0, failAttempts: 0, failClass: 'runtime_error', outputBytes: 0 },
    class: 'interactive',
    pool: 'cpu',
    state: 'queued',
    attempt: 1,
    maxAttempts: 3,
    timeoutSec: 60,
    createdAt: at,
    queuedAt: at,
    ...patch,
  };
}

describe('JobIndex', () => {
  it('pages newest first and filters by state, kind and node', () => {
    const index = new JobIndex();
    const jobs = [
      job(0, { state: 'succeeded', nodeId: 'a' }),
      job(1000, { state: 'running', nodeId: 'b' }),
      job(2000, { state: 'succeeded', nodeId: 'b', kind: 'recording' }),
      job(3000),
    ];
    for (const j of jobs) index.upsert(j, T0);
    expect(index.page({ offset: 0, limit: 10 }).items.map((j) => j.id)).toEqual(
      jobs.map((j) => j.id).reverse(),
    );
    expect(index.page({ state: 'succeeded', offset: 0, limit: 1 })).toEqual({ total: 2, items: [jobs[2]] });
    expect(index.page({ state: 'succeeded', offset: 1, limit: 1 }).items).toEqual([jobs[0]]);
    expect(index.page({ kind: 'recording', offset: 0, limit: 10 }).total).toBe(1);
    expect(index.page({ node: 'b', offset: 0, limit: 10 }).total).toBe(2);
    // A change of an existing record keeps its place.
    index.upsert({ ...jobs[3]!, state: 'running' }, T0);
    expect(index.page({ state: 'running', offset: 0, limit: 10 }).items[0]!.id).toBe(jobs[3]!.id);
  });

  it('counts waiting jobs per class with the oldest wait, and finds stranded and undispatched ones', () => {
    const index = new JobIndex();
    const old = job(0, { pool: 'vaapi-h264' });
    const young = job(50_000, { class: 'batch', dispatchSeq: 7 });
    const retrying = job(10_000, { state: 'retry_wait', class: 'batch', dispatchSeq: 3 });
    for (const j of [old, young, retrying]) index.upsert(j, T0);
    expect(index.waiting('batch')).toBe(2);
    expect(index.queues(T0 + 60_000)).toEqual([
      { class: 'live', depth: 0, oldestSeconds: 0 },
      { class: 'interactive', depth: 1, oldestSeconds: 60 },
      { class: 'batch', depth: 2, oldestSeconds: 50 },
    ]);
    expect(index.stranded(new Set(['cpu']), T0 + 30_000)).toEqual([old]);
    expect(index.stranded(new Set(['cpu', 'vaapi-h264']), T0 + 30_000)).toEqual([]);
    expect(index.undispatched(T0 + 30_000)).toEqual([old]);
  });

  it('forgets records last written before the retention time', () => {
    const index = new JobIndex();
    const kept = job(0);
    const aged = job(1);
    index.upsert(kept, T0 + 10);
    index.upsert(aged, T0);
    index.prune(T0 + 5);
    expect(index.size).toBe(1);
    expect(index.get(kept.id)).toEqual(kept);
    expect(index.page({ offset: 0, limit: 10 }).items).toEqual([kept]);
  });
});
