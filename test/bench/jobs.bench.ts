/**
 * `npm run bench:jobs`: no-op jobs through the whole path (HTTP API → `jobs` KV + `JOBS` work queue → a worker's
 * pull and compare-and-set claim → complete), real processes on one nats-server:
 *   1. latency with a free worker: jobs submitted one every 25 ms to 1 worker; p50/p99 from submit (the record's
 *      createdAt) to running (startedAt), against the 5 s polling scheduler of earlier designs (target p99 ≤ 50 ms);
 *   2. throughput: 1,000 jobs submitted by 16 concurrent clients, with 1 and with 3 workers (jobs per second from
 *      the first submit to the last success), p50/p99 submit → running under that load;
 *   3. a 10,000-job backlog (no worker): the listing newest first and filtered by state, in ms (median of 20).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { natsEnv, startNatsServer } from '../support/nats-server.js';
import { child, freePort, percentile, stop } from './live-stack.js';

const TOKEN = 'bench-jobs-token-0123456789';
const POLLING_ANCHOR_MS = 5_000;
const work = mkdtempSync(join(tmpdir(), 'e2gate-bench-jobs-'));

interface Job {
  id: string;
  state: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

async function healthy(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error(`${url} never became healthy`);
}

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function submit(api: string): Promise<string> {
  const reply = await fetch(`${api}/api/v1/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ kind: 'noop', durationMs: 0 }),
  });
  if (reply.status !== 201) throw new Error(`submit: ${reply.status} ${await reply.text()}`);
  return ((await reply.json()) as Job).id;
}

async function list(api: string, query: string): Promise<{ total: number; items: Job[] }> {
  const reply = await fetch(`${api}/api/v1/jobs?${query}`, { headers });
  return (await reply.json()) as { total: number; items: Job[] };
}

/** Waits until `count` jobs have succeeded; returns every job (newest first). */
async function settled(api: string, count: number): Promise<Job[]> {
  for (;;) {
    const done = await list(api, 'state=succeeded&limit=1');
    if (done.total >= count) break;
    await sleep(100);
  }
  const jobs: Job[] = [];
  for (let offset = 0; offset < count; offset += 500)
    jobs.push(...(await list(api, `limit=500&offset=${offset}`)).items);
  return jobs;
}

function startLatencies(jobs: Job[]): number[] {
  return jobs
    .filter((job) => job.startedAt)
    .map((job) => Date.parse(job.startedAt!) - Date.parse(job.createdAt))
    .sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const nats = await startNatsServer({ storeDir: join(work, 'js') });
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const jobEnv = { E2GATE_JOB_QUEUE_MAX: '20000' };
  const gateway = child('gateway', {
    ...natsEnv(nats.url, 'gateway'),
    E2GATE_DATA_DIR: join(work, 'gateway'),
    E2GATE_GATEWAY_HTTP_HOST: '127.0.0.1',
    E2GATE_GATEWAY_HTTP_PORT: String(port),
    E2GATE_API_TOKENS: `bench:${TOKEN}:admin`,
    E2GATE_RATE_LIMIT: '1000000',
    E2GATE_HDHR_ENABLED: 'false',
    ...jobEnv,
  });
  await healthy(api);
  const workers: ChildProcess[] = [];
  const startWorker = async () => {
    const workerPort = await freePort();
    const worker = child('transcoder', {
      ...natsEnv(nats.url, 'transcoder'),
      E2GATE_RECEIVER_URL: 'http://127.0.0.1:9',
      E2GATE_DATA_DIR: join(work, `worker-${workers.length}`),
      E2GATE_TRANSCODER_HTTP_HOST: '127.0.0.1',
      E2GATE_TRANSCODER_HTTP_PORT: String(workerPort),
      ...jobEnv,
    });
    workers.push(worker);
    await healthy(`http://127.0.0.1:${workerPort}`);
  };
  const lines: string[] = [];
  let total = 0;
  try {
    await startWorker();
    // 1. A free worker: one job every 25 ms.
    const paced = 200;
    for (let i = 0; i < paced; i++) {
      await submit(api);
      await sleep(25);
    }
    total += paced;
    const free = startLatencies((await settled(api, total)).slice(0, paced));
    const p99 = percentile(free, 99);
    lines.push(
      `free worker, ${paced} jobs one every 25 ms: submit → running p50 ${percentile(free, 50)} ms, ` +
        `p99 ${p99} ms (target ≤ 50 ms; a 5 s polling scheduler: p99 ≈ ${POLLING_ANCHOR_MS} ms, ` +
        `${(POLLING_ANCHOR_MS / Math.max(1, p99)).toFixed(0)}× slower)`,
    );

    // 2. Throughput with 1 and 3 workers.
    for (const count of [1, 3]) {
      while (workers.length < count) await startWorker();
      const burst = 1_000;
      const started = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < burst) {
            next++;
            await submit(api);
          }
        }),
      );
      const submittedIn = (Date.now() - started) / 1000;
      total += burst;
      const jobs = (await settled(api, total)).slice(0, burst);
      const last = Math.max(...jobs.map((job) => Date.parse(job.finishedAt ?? job.createdAt)));
      const seconds = (last - started) / 1000;
      const loaded = startLatencies(jobs);
      lines.push(
        `${count} worker${count > 1 ? 's' : ''}, ${burst} jobs from 16 clients: ${(burst / seconds).toFixed(0)} jobs/s ` +
          `(submitted in ${submittedIn.toFixed(1)} s), submit → running p50 ${percentile(loaded, 50)} ms, ` +
          `p99 ${percentile(loaded, 99)} ms`,
      );
    }

    // 3. A 10,000-job backlog with no worker.
    for (const worker of workers) await stop(worker);
    const backlog = 10_000;
    let made = 0;
    const startedBacklog = Date.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (made < backlog) {
          made++;
          await submit(api);
        }
      }),
    );
    const backlogSeconds = (Date.now() - startedBacklog) / 1000;
    for (;;) {
      if ((await list(api, 'state=queued&limit=1')).total >= backlog) break;
      await sleep(200);
    }
    for (const [label, query] of [
      ['newest 50', 'limit=50'],
      ['queued, newest 50', 'state=queued&limit=50'],
      ['succeeded, page 10 of 50', 'state=succeeded&limit=50&offset=450'],
      ['by node, none matching', 'node=nobody&limit=50'],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await list(api, query);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      lines.push(
        `backlog of ${backlog + total} jobs, ${label}: ${percentile(times, 50).toFixed(1)} ms median`,
      );
    }
    lines.push(
      `(the backlog was submitted at ${(backlog / backlogSeconds).toFixed(0)} jobs/s by 16 clients)`,
    );
  } finally {
    for (const worker of workers) await stop(worker);
    await stop(gateway);
    await nats.stop();
  }
  console.log(['', 'bench:jobs', ...lines].join('\n'));
}

await main();
