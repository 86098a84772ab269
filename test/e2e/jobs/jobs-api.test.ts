import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, STREAM_TOKEN, READ_TOKEN } from '../gateway/support/gateway-harness.js';
import { metric } from '../gateway/support/http.js';
import { startLiveStack, type LiveStack } from '../live/support/live-stack.js';
import { JobsClient, type JobView } from './support/jobs-client.js';

/** The job API against the real stack: gateway, one transcoder (two job slots), nats-server, the simulator. */
const workerData = mkdtempSync(join(tmpdir(), 'e2gate-jobs-'));
let stack: LiveStack;
let admin: JobsClient;
let user: JobsClient;

beforeAll(async () => {
  stack = await startLiveStack({
    transcoders: 1,
    transcoderEnv: {
      E2GATE_JOB_SLOTS: '2',
      E2GATE_JOB_RETRY_BASE: '200ms',
      E2GATE_JOB_LEASE: '3s',
      E2GATE_JOB_MAX_DELIVERIES: '4',
      E2GATE_DATA_DIR: workerData,
    },
    gatewayEnv: { E2GATE_JOB_POOL_GRACE: '1s', E2GATE_JOB_QUEUE_MAX: '8' },
  });
  admin = new JobsClient(stack.gateway.url, ADMIN_TOKEN);
  user = new JobsClient(stack.gateway.url, STREAM_TOKEN);
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

describe('job API', () => {
  it('runs a job through queued → claimed → running → succeeded, with transitions and progress as events', async () => {
    const job = await admin.create({ kind: 'noop', durationMs: 2_500 });
    // The answer is the record as it stands after the enqueue: a free worker may have claimed it already.
    expect(['queued', 'claimed', 'running']).toContain(job.state);
    expect(job).toMatchObject({
      kind: 'noop',
      attempt: 1,
      class: 'interactive',
      pool: 'cpu',
    });
    expect(job.id).toMatch(/^job_[0-9A-HJKMNP-TV-Z]{26}$/);
    const events = await admin.events(job.id);
    const transitions = events
      .filter((e) => e.event === 'transition')
      .map((e) => `${e.data['from']}→${e.data['to']}`);
    expect(transitions).toEqual(['null→queued', 'queued→claimed', 'claimed→running', 'running→succeeded']);
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)).toMatchObject({ event: 'job', data: { state: 'succeeded' } });
    const done = await admin.get(job.id);
    expect(done).toMatchObject({ state: 'succeeded', attempt: 1, node: stack.transcoders[0]!.nodeId });
    expect(done.progress?.fraction).toBe(1);
  });

  it('answers a repeated POST with the same Idempotency-Key with the one job it made', async () => {
    const body = { kind: 'noop', durationMs: 0 };
    const first = await admin.submit(body, { 'idempotency-key': 'nightly-42' });
    const second = await admin.submit(body, { 'idempotency-key': 'nightly-42' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json<JobView>().id).toBe(first.json<JobView>().id);
    const reused = await admin.submit({ kind: 'noop', durationMs: 5 }, { 'idempotency-key': 'nightly-42' });
    expect(reused.status).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('refuses malformed specs with 400 and a code, and canary jobs without the admin scope', async () => {
    for (const body of [
      {},
      { kind: 'transcode-everything' },
      { kind: 'recording' },
      { kind: 'recording', recordingId: '../../etc/passwd' },
      { kind: 'noop', durationMs: -1 },
      { kind: 'noop', timeoutSec: 1e9 },
      { kind: 'noop', pool: 'quantum' },
      { kind: 'noop', class: 'urgent' },
      { kind: 'recording', recordingId: '0123456789abcdef', output: { languages: ['german'] } },
    ]) {
      const reply = await admin.submit(body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const badKey = await admin.submit({ kind: 'noop' }, { 'idempotency-key': 'x'.repeat(201) });
    expect(badKey.status).toBe(400);
    expect((await user.submit({ kind: 'noop' })).status).toBe(403);
    expect((await admin.submit({ kind: 'noop' }, {}, READ_TOKEN)).status).toBe(403);
    expect((await admin.submit({ kind: 'recording', recordingId: '0123456789abcdef' })).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/jobs/job_0000')).status).toBe(400);
    expect((await admin.request('GET', '/api/v1/jobs/job_00000000000000000000000000')).status).toBe(404);
  });

  it('rejects a job for a pool no node offers after the grace time (capability_mismatch)', async () => {
    const job = await admin.create({ kind: 'noop', pool: 'nvenc-h264' });
    const rejected = await admin.waitForState(job.id, 'rejected', 15_000);
    expect(rejected.failure).toMatchObject({ class: 'capability_mismatch', code: 'JOB_POOL_UNAVAILABLE' });
  });

  it('retries a retryable failure with backoff and ends a non-retryable one at once', async () => {
    const flaky = await admin.create({ kind: 'noop', failAttempts: 1, failClass: 'runtime_error' });
    const recovered = await admin.waitForState(flaky.id, 'succeeded');
    expect(recovered.attempt).toBe(2);
    const broken = await admin.create({ kind: 'noop', failAttempts: 1, failClass: 'input_error' });
    const failed = await admin.waitForState(broken.id, 'failed');
    expect(failed).toMatchObject({ attempt: 1, failure: { class: 'input_error', code: 'JOB_NOOP_FAILURE' } });
    // A failed job retried by request runs again as attempt 2 (which this canary lets succeed).
    const retry = await admin.request('POST', `/api/v1/jobs/${broken.id}/retry`);
    expect(retry.status, retry.text).toBe(202);
    expect(retry.json<JobView>()).toMatchObject({ attempt: 2 });
    expect(['queued', 'claimed', 'running', 'succeeded']).toContain(retry.json<JobView>().state);
    expect((await admin.waitForState(broken.id, 'succeeded')).attempt).toBe(2);
    expect((await admin.request('POST', `/api/v1/jobs/${broken.id}/retry`)).status).toBe(409);
  });

  it('cancels a waiting job at once and stops a running one within the grace time', async () => {
    const running = [
      await admin.create({ kind: 'noop', durationMs: 60_000 }),
      await admin.create({ kind: 'noop', durationMs: 60_000 }),
    ];
    for (const job of running) await admin.waitForState(job.id, 'running');
    const waiting = await admin.create({ kind: 'noop', durationMs: 60_000 });
    const canceled = await admin.request('DELETE', `/api/v1/jobs/${waiting.id}`);
    expect(canceled.status).toBe(202);
    expect(canceled.json<JobView>().state).toBe('canceled');
    const started = Date.now();
    for (const job of running) {
      const reply = await admin.request('DELETE', `/api/v1/jobs/${job.id}`);
      expect(reply.json<JobView>().state).toBe('cancel_requested');
    }
    for (const job of running) await admin.waitForState(job.id, 'canceled', 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Their attempts' directories (partial outputs) are gone.
    expect(readdirSync(join(workerData, 'job-work'))).toEqual([]);
    expect((await admin.request('DELETE', `/api/v1/jobs/${running[0]!.id}`)).status).toBe(202);
    const done = await admin.create({ kind: 'noop' });
    await admin.waitForState(done.id, 'succeeded');
    expect((await admin.request('DELETE', `/api/v1/jobs/${done.id}`)).status).toBe(409);
  });

  it('lists jobs newest first, filtered by state and kind', async () => {
    const reply = await admin.request('GET', '/api/v1/jobs?state=succeeded&limit=3');
    expect(reply.status).toBe(200);
    const page = reply.json<{ total: number; items: JobView[] }>();
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((job) => job.state === 'succeeded')).toBe(true);
    const ids = page.items.map((job) => job.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const rejected = (await admin.request('GET', '/api/v1/jobs?state=rejected')).json<{ total: number }>();
    expect(rejected.total).toBe(1);
    expect((await admin.request('GET', '/api/v1/jobs?state=done')).status).toBe(400);
  });

  it('exports queue, state, outcome and claim metrics on the gateway and the worker', async () => {
    const gatewayMetrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(
      metric(gatewayMetrics, 'e2gate_jobs', { state: 'succeeded', class: 'interactive', pool: 'cpu' }),
    ).toBeGreaterThan(0);
    expect(
      metric(gatewayMetrics, 'e2gate_jobs', { state: 'rejected', class: 'interactive', pool: 'nvenc-h264' }),
    ).toBe(1);
    expect(metric(gatewayMetrics, 'e2gate_job_queue_depth', { class: 'batch' })).toBe(0);
    expect(
      metric(gatewayMetrics, 'e2gate_job_submissions_total', { kind: 'noop', outcome: 'replayed' }),
    ).toBe(1);
    expect(metric(gatewayMetrics, 'e2gate_job_cancels_total')).toBe(4);
    const workerMetrics = await (await fetch(`${stack.transcoders[0]!.url}/metrics`)).text();
    expect(
      metric(workerMetrics, 'e2gate_job_claims_total', { pool: 'cpu', class: 'interactive' }),
    ).toBeGreaterThan(5);
    expect(metric(workerMetrics, 'e2gate_job_retries_total', { failure_class: 'runtime_error' })).toBe(1);
    expect(
      metric(workerMetrics, 'e2gate_job_outcomes_total', { state: 'failed', failure_class: 'input_error' }),
    ).toBe(1);
    expect(metric(workerMetrics, 'e2gate_job_running')).toBe(0);
  });

  it('refuses a submit beyond the class queue bound with 429 JOB_QUEUE_FULL and Retry-After', async () => {
    // A pool no node offers keeps jobs waiting (until the grace time rejects them).
    const waiting: string[] = [];
    for (let i = 0; i < 8; i++)
      waiting.push((await admin.create({ kind: 'noop', class: 'batch', pool: 'vaapi-h264' })).id);
    const refused = await admin.submit({ kind: 'noop', class: 'batch', pool: 'vaapi-h264' });
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'JOB_QUEUE_FULL' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other classes have their own bound.
    expect((await admin.submit({ kind: 'noop', class: 'live' })).status).toBe(201);
    for (const id of waiting) await admin.request('DELETE', `/api/v1/jobs/${id}`);
  });

  it('dead-letters a message that reached its delivery limit and fails its job', async () => {
    // Every retry is one more delivery of the same message: the fifth is past the limit of four.
    const job = await admin.create({
      kind: 'noop',
      failAttempts: 10,
      maxAttempts: 10,
      failClass: 'network_error',
    });
    const failed = await admin.waitForState(job.id, 'failed', 20_000);
    expect(failed.failure).toMatchObject({ class: 'platform_error', code: 'JOB_MAX_DELIVERIES' });
    expect(failed.attempt).toBe(4);
    const workerMetrics = await (await fetch(`${stack.transcoders[0]!.url}/metrics`)).text();
    expect(metric(workerMetrics, 'e2gate_job_dead_letters_total')).toBe(1);
  });

  it('stops an attempt at its timeout (timeout is retried once, then the job fails)', async () => {
    const job = await admin.create({ kind: 'noop', durationMs: 60_000, timeoutSec: 10, maxAttempts: 1 });
    await admin.waitForState(job.id, 'running');
    const failed = await admin.waitForState(job.id, 'failed', 20_000);
    expect(failed.failure).toMatchObject({ class: 'timeout', code: 'JOB_TIMEOUT' });
    expect(Date.parse(failed.finishedAt!) - Date.parse(failed.startedAt!)).toBeLessThan(12_000);
  }, 30_000);
});

describe('NATS users', () => {
  it('were never refused anything while jobs ran, failed, were cancelled and dead-lettered (ADR 0032)', () => {
    expect(stack.nats.violations()).toEqual([]);
  });
});
