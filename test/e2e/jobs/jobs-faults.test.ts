import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket, JobStream, type JobTransitionEvent } from '@e2gate/contracts';
import { connectAs, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { startTranscoderProcess, type TranscoderProcess } from '../../support/app-process.js';
import { ADMIN_TOKEN, startGateway, type GatewayUnderTest } from '../gateway/support/gateway-harness.js';
import { metric } from '../gateway/support/http.js';
import { until } from '../live/support/live-stack.js';
import { JobsClient, type JobView } from './support/jobs-client.js';

/**
 * Exactly once under faults (jobs.md §7–9): worker processes (the built transcoder) killed with SIGKILL and
 * restarted, nats-server restarted, a worker paused past its lease with SIGSTOP, a worker stopped with SIGTERM.
 * The oracle is the job records, the transition stream and the artefact store, read straight from NATS.
 */
const WORKER_ENV = {
  E2GATE_JOB_SLOTS: '4',
  E2GATE_JOB_LEASE: '2s',
  E2GATE_JOB_RETRY_BASE: '100ms',
  E2GATE_NODE_HEARTBEAT: '500ms',
  E2GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'e2gate-job-workers-')),
};
const JOBS = 200;

let nats: RunningNatsServer;
let gateway: GatewayUnderTest;
let client: JobsClient;
let workers: TranscoderProcess[] = [];

const startWorker = () =>
  startTranscoderProcess({ natsUrl: nats.url, receiverUrl: 'http://127.0.0.1:9', env: WORKER_ENV });

/** The pid in a node id (`transcoder-<host>-<pid>-<boot>`). */
const pidOf = (nodeId: string | undefined) => Number(/-(\d+)-[0-9a-f]{6}$/.exec(nodeId ?? '')?.[1]);

async function withNats<T>(use: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connectAs(nats.url);
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

/** Every transition in `JOB_EVENTS`, by job. */
function transitions(): Promise<Map<string, JobTransitionEvent[]>> {
  return withNats(async (nc) => {
    const js = jetstream(nc);
    const consumer = await js.consumers.get(JobStream.Events, { deliver_policy: DeliverPolicy.All });
    const byJob = new Map<string, JobTransitionEvent[]>();
    for (;;) {
      const message = await consumer.next({ expires: 1_000 });
      if (!message) return byJob;
      const event = message.json<JobTransitionEvent>();
      byJob.set(event.jobId, [...(byJob.get(event.jobId) ?? []), event]);
    }
  });
}

/** Every artefact in the store: name → the job that wrote it. */
function artifacts(): Promise<Map<string, string>> {
  return withNats(async (nc) => {
    const store = await new Objm(nc).open(Bucket.Artifacts);
    const names = new Map<string, string>();
    for (const info of await store.list())
      if (!info.deleted) names.set(info.name, info.metadata?.['jobId'] ?? '');
    return names;
  });
}

async function allJobs(): Promise<JobView[]> {
  const reply = await client.request('GET', '/api/v1/jobs?limit=500');
  return reply.json<{ items: JobView[] }>().items;
}

beforeAll(async () => {
  nats = await startNatsServer();
  gateway = await startGateway({ natsUrl: nats.url });
  client = new JobsClient(gateway.url, ADMIN_TOKEN);
}, 120_000);
afterAll(async () => {
  for (const worker of workers) await worker.stop('SIGKILL');
  await gateway?.close();
  await nats?.stop();
});

describe('jobs under faults', () => {
  it(`runs ${JOBS} jobs exactly once while workers are SIGKILLed and restarted and nats-server restarts`, async () => {
    workers = [await startWorker(), await startWorker(), await startWorker()];
    const classes = ['live', 'interactive', 'batch'];
    const submitted: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const job = await client.create({
        kind: 'noop',
        durationMs: 200 + ((i * 37) % 400),
        outputBytes: 4096,
        maxAttempts: 10,
        class: classes[i % 3],
      });
      submitted.push(job.id);
    }
    const started = Date.now();
    let kills = 0;
    let natsRestarted = false;
    const finished = async () =>
      (await allJobs()).every((job) => ['succeeded', 'failed', 'canceled'].includes(job.state));
    while (!(await finished())) {
      expect(Date.now() - started, 'every job ends within 3 minutes').toBeLessThan(180_000);
      await sleep(1_500);
      if (!natsRestarted && Date.now() - started > 4_000) {
        natsRestarted = true;
        await nats.kill();
        await sleep(1_000);
        await nats.restart();
        continue;
      }
      const victim = kills % workers.length;
      await workers[victim]!.stop('SIGKILL');
      workers[victim] = await startWorker();
      kills++;
    }
    expect(natsRestarted).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(3);

    const jobs = await allJobs();
    expect(jobs.map((job) => job.id).sort()).toEqual([...submitted].sort());
    expect(jobs.filter((job) => job.state !== 'succeeded')).toEqual([]);
    // The kills hit running attempts: their jobs were taken over by another attempt.
    expect(jobs.some((job) => job.attempt > 1)).toBe(true);
    const history = await transitions();
    for (const job of jobs) {
      const events = history.get(job.id) ?? [];
      expect(events.filter((e) => e.to === 'succeeded').length, job.id).toBeLessThanOrEqual(1);
      expect(
        events.filter((e) => e.from === 'running' && e.to === 'succeeded' && e.attempt !== job.attempt),
      ).toEqual([]);
    }
    // A crashed attempt may have stored its file without promoting it: a restarted worker sweeps those away.
    await sleep(6_000);
    await workers[0]!.stop('SIGKILL');
    workers[0] = await startWorker();
    const promoted = new Map(jobs.map((job) => [job.result!.artifactId, job.id]));
    await until('orphaned artefacts swept', async () => (await artifacts()).size === JOBS, 30_000);
    expect(await artifacts()).toEqual(promoted);
  }, 300_000);

  it('fences a worker paused past its lease: its late result never replaces the attempt that took over', async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    const paused = await startWorker();
    workers = [paused];
    const job = await client.create({ kind: 'noop', durationMs: 5_000, outputBytes: 4096 });
    const running = await client.waitForState(job.id, 'running');
    expect(pidOf(running.node)).toBe(paused.child.pid);
    const successor = await startWorker();
    workers.push(successor);
    paused.child.kill('SIGSTOP');
    const replaced = await client.waitForState(job.id, 'succeeded', 30_000);
    expect(replaced.attempt).toBe(2);
    expect(pidOf(replaced.node)).toBe(successor.child.pid);
    paused.child.kill('SIGCONT');
    // The paused attempt's timer ran out long ago: it finishes (or sees its lease gone) as soon as it runs again.
    await until(
      'the resumed worker drops its attempt',
      async () => metric(await (await fetch(`${paused.url}/metrics`)).text(), 'e2gate_job_running') === 0,
      15_000,
    );
    const after = await client.get(job.id);
    expect(after).toMatchObject({ state: 'succeeded', attempt: 2, node: replaced.node });
    expect(after.result!.artifactId).toBe(replaced.result!.artifactId);
    const events = (await transitions()).get(job.id) ?? [];
    expect(events.filter((e) => e.to === 'succeeded')).toHaveLength(1);
    const stored = [...(await artifacts())].filter(([, jobId]) => jobId === job.id).map(([name]) => name);
    expect(stored).toEqual([replaced.result!.artifactId]);
  }, 120_000);

  it('on SIGTERM a worker finishes what ends soon and hands the rest back (no job lost, none run twice)', async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    const leaving = await startWorker();
    workers = [leaving];
    const short = await client.create({ kind: 'noop', durationMs: 1_500, outputBytes: 1024 });
    const long = await client.create({ kind: 'noop', durationMs: 30_000, outputBytes: 1024 });
    for (const job of [short, long]) await client.waitForState(job.id, 'running');
    const stay = await startWorker();
    workers.push(stay);
    await leaving.stop('SIGTERM');
    const shortDone = await client.waitForState(short.id, 'succeeded', 10_000);
    expect(shortDone).toMatchObject({ attempt: 1 });
    expect(pidOf(shortDone.node)).toBe(leaving.child.pid);
    const handedBack = await client.waitFor(
      long.id,
      (job) => job.state === 'running' && job.attempt === 2,
      15_000,
    );
    expect(pidOf(handedBack.node)).toBe(stay.child.pid);
    // Handing back does not use up an attempt.
    expect(handedBack.maxAttempts).toBe(4);
    const events = (await transitions()).get(long.id) ?? [];
    expect(
      events.some((e) => e.from === 'running' && e.to === 'queued' && /shut down/.test(e.reason ?? '')),
    ).toBe(true);
    await client.request('DELETE', `/api/v1/jobs/${long.id}`);
    await client.waitForState(long.id, 'canceled', 10_000);
  }, 120_000);
});
