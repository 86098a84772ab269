import { describe, expect, it } from 'vitest';
import { decideDelivery, holds, JobConflict, moveJob, planRetry, requeueJob } from './job-rules.js';
import { canTransition, JOB_ID_PATTERN, JOB_STATES, newJobId, ulid, type JobRecord } from './jobs.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const ctx = { nowMs: NOW, holderAlive: false, leaseMs: 15_000 };

function job(patch: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 'job_01JDZ8Q5M6X4T2B9C3N7R0V1WK',
    kind: 'noop',
    spec: { kind: 'noop', durationMs: 0, failAttempts: 0, failClass: 'runtime_error', outputBytes: 0 },
    class: 'batch',
    pool: 'cpu',
    state: 'queued',
    attempt: 1,
    maxAttempts: 3,
    timeoutSec: 60,
    createdAt: '2026-12-06T11:00:00.000Z',
    queuedAt: '2026-12-06T11:00:00.000Z',
    ...patch,
  };
}

describe('job ids', () => {
  it('are ULIDs with a type prefix, sorting by creation time', () => {
    const ids = [newJobId(NOW), newJobId(NOW + 1), newJobId(NOW + 1000)];
    for (const id of ids) expect(id).toMatch(JOB_ID_PATTERN);
    expect([...ids].sort()).toEqual(ids);
    expect(ulid(0, Buffer.alloc(10))).toBe('0'.repeat(26));
    expect(ulid(NOW, Buffer.alloc(10, 0xff)).slice(10)).toBe('Z'.repeat(16));
  });
});

describe('the transition table', () => {
  it('allows only the moves of jobs.md §2 (plus a user retry of a failed job)', () => {
    const allowed = JOB_STATES.flatMap((from) =>
      JOB_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'queued→claimed',
        'queued→canceled',
        'queued→rejected',
        'queued→failed',
        'claimed→running',
        'claimed→queued',
        'claimed→cancel_requested',
        'claimed→failed',
        'running→succeeded',
        'running→failed',
        'running→retry_wait',
        'running→cancel_requested',
        'retry_wait→queued',
        'retry_wait→canceled',
        'retry_wait→failed',
        'cancel_requested→canceled',
        'cancel_requested→failed',
        'failed→queued',
      ].sort(),
    );
    expect(() => moveJob(job({ state: 'succeeded' }), 'running')).toThrow(JobConflict);
  });
});

describe('decideDelivery', () => {
  it('claims a queued job and drops messages of finished or missing jobs', () => {
    expect(decideDelivery(job(), ctx)).toEqual({ action: 'claim' });
    expect(decideDelivery(null, ctx)).toMatchObject({ action: 'term' });
    for (const state of ['succeeded', 'failed', 'canceled', 'rejected'] as const) {
      expect(decideDelivery(job({ state }), ctx)).toMatchObject({ action: 'term' });
    }
  });

  it('waits for a retry that is not due and requeues one that is', () => {
    const waiting = job({ state: 'retry_wait', retryAt: new Date(NOW + 4_000).toISOString() });
    expect(decideDelivery(waiting, ctx)).toMatchObject({ action: 'nak', delayMs: 4_000 });
    const due = job({ state: 'retry_wait', retryAt: new Date(NOW - 1).toISOString() });
    expect(decideDelivery(due, ctx)).toMatchObject({ action: 'claim', requeue: { reason: 'retry due' } });
  });

  it('leaves a job to a live holder, takes it from a dead one, and fails it on the last attempt', () => {
    const held = job({ state: 'running', nodeId: 'n1', leaseId: 'l1' });
    expect(decideDelivery(held, { ...ctx, holderAlive: true })).toMatchObject({
      action: 'nak',
      delayMs: 15_000,
    });
    expect(decideDelivery(held, ctx)).toMatchObject({
      action: 'claim',
      requeue: { failure: { class: 'platform_error', code: 'JOB_WORKER_LOST' } },
    });
    expect(decideDelivery({ ...held, attempt: 3 }, ctx)).toMatchObject({ action: 'fail' });
    expect(decideDelivery({ ...held, state: 'cancel_requested' }, ctx)).toEqual({ action: 'cancel' });
  });
});

describe('requeueJob', () => {
  it('makes the next attempt from a running one (through retry_wait) and clears the old holder', () => {
    const running = job({
      state: 'running',
      nodeId: 'n1',
      leaseId: 'l1',
      bootId: 'b',
      startedAt: 'x',
      progress: { updatedAt: 'x' },
    });
    const failure = { class: 'platform_error' as const, code: 'JOB_WORKER_LOST', message: 'gone' };
    const next = requeueJob(running, '2026-12-06T12:00:00.000Z', 'worker lost', failure);
    expect(next).toMatchObject({
      state: 'queued',
      attempt: 2,
      failure,
      reason: 'worker lost',
      queuedAt: '2026-12-06T12:00:00.000Z',
    });
    expect(next.leaseId).toBeUndefined();
    expect(next.nodeId).toBeUndefined();
    expect(next.progress).toBeUndefined();
  });

  it('requeues a claimed job directly and a due retry keeping its last failure', () => {
    expect(requeueJob(job({ state: 'claimed' }), 'now', 'lost').state).toBe('queued');
    const failure = { class: 'runtime_error' as const, code: 'X', message: 'x' };
    expect(requeueJob(job({ state: 'retry_wait', failure }), 'now', 'retry due')).toMatchObject({
      attempt: 2,
      failure,
    });
  });
});

describe('holds', () => {
  it('is true only for the same attempt and lease while the attempt is not over', () => {
    const held = job({ state: 'running', attempt: 2, leaseId: 'l2' });
    expect(holds(held, { attempt: 2, leaseId: 'l2' })).toBe(true);
    expect(holds(held, { attempt: 1, leaseId: 'l2' })).toBe(false);
    expect(holds(held, { attempt: 2, leaseId: 'other' })).toBe(false);
    expect(holds({ ...held, state: 'cancel_requested' }, { attempt: 2, leaseId: 'l2' })).toBe(true);
    expect(holds({ ...held, state: 'succeeded' }, { attempt: 2, leaseId: 'l2' })).toBe(false);
  });
});

describe('planRetry', () => {
  const half = () => 0.5;

  it('retries retryable classes with growing delays until the attempts run out', () => {
    expect(planRetry({ attempt: 1, maxAttempts: 4 }, 'runtime_error', 1000, half)).toEqual({
      retry: true,
      delayMs: 1000,
    });
    expect(planRetry({ attempt: 2, maxAttempts: 4 }, 'runtime_error', 1000, half)).toEqual({
      retry: true,
      delayMs: 6000,
    });
    expect(planRetry({ attempt: 3, maxAttempts: 4 }, 'runtime_error', 1000, half)).toEqual({
      retry: true,
      delayMs: 30000,
    });
    expect(planRetry({ attempt: 4, maxAttempts: 4 }, 'runtime_error', 1000, half).retry).toBe(false);
  });

  it('never retries input, user, capability or cancel failures, and a timeout only once', () => {
    for (const failure of ['input_error', 'user_error', 'capability_mismatch', 'canceled'] as const) {
      expect(planRetry({ attempt: 1, maxAttempts: 5 }, failure, 1000).retry).toBe(false);
    }
    expect(planRetry({ attempt: 1, maxAttempts: 5 }, 'timeout', 1000, half).retry).toBe(true);
    expect(planRetry({ attempt: 2, maxAttempts: 5 }, 'timeout', 1000, half).retry).toBe(false);
  });

  it('jitters by ±20 %', () => {
    expect(planRetry({ attempt: 1, maxAttempts: 3 }, 'runtime_error', 1000, () => 0).delayMs).toBe(800);
    expect(planRetry({ attempt: 1, maxAttempts: 3 }, 'runtime_error', 1000, () => 0.999999).delayMs).toBe(
      1200,
    );
  });
});
