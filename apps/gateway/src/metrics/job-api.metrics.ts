import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@e2gate/observability';
import type { JobIndex } from '../services/job-index.js';

const M = {
  jobs: 'e2gate_jobs',
  queueDepth: 'e2gate_job_queue_depth',
  queueOldest: 'e2gate_job_queue_oldest_seconds',
  submissions: 'e2gate_job_submissions_total',
  cancels: 'e2gate_job_cancels_total',
  artifactBytes: 'e2gate_job_artifact_bytes',
} as const;

export const jobApiMetricProviders = [
  makeGaugeProvider({
    name: M.jobs,
    help: 'Jobs by state, class and pool (cluster-wide)',
    labelNames: ['state', 'class', 'pool'],
  }),
  makeGaugeProvider({
    name: M.queueDepth,
    help: 'Jobs waiting for a worker (queued or retry_wait) by class',
    labelNames: ['class'],
  }),
  makeGaugeProvider({
    name: M.queueOldest,
    help: 'How long the oldest waiting job of the class has waited (starvation alarm)',
    labelNames: ['class'],
  }),
  makeCounterProvider({
    name: M.submissions,
    help: 'Job submissions by kind and outcome (created, replayed by Idempotency-Key, or the refusal code)',
    labelNames: ['kind', 'outcome'],
  }),
  makeCounterProvider({ name: M.cancels, help: 'Cancel requests that stopped or ended a job' }),
  makeGaugeProvider({ name: M.artifactBytes, help: 'Bytes in the artefact store' }),
];

/** The job API's metrics: cluster-wide gauges from this replica's job index, and its own counters. */
@Injectable()
export class JobApiMetrics {
  constructor(
    @InjectMetric(M.jobs) private readonly jobs: Gauge<string>,
    @InjectMetric(M.queueDepth) private readonly queueDepth: Gauge<string>,
    @InjectMetric(M.queueOldest) private readonly queueOldest: Gauge<string>,
    @InjectMetric(M.submissions) private readonly submissions: Counter<string>,
    @InjectMetric(M.cancels) private readonly cancels: Counter<string>,
    @InjectMetric(M.artifactBytes) private readonly artifactBytes: Gauge<string>,
  ) {}

  /** The gauges read the index at scrape time. */
  readFrom(index: JobIndex, nowMs: () => number): void {
    const { jobs, queueDepth, queueOldest } = this;
    Object.assign(jobs, {
      collect: () => {
        jobs.reset();
        for (const entry of index.counts())
          jobs.set({ state: entry.state, class: entry.class, pool: entry.pool }, entry.count);
      },
    });
    Object.assign(queueDepth, {
      collect: () => {
        for (const queue of index.queues(nowMs())) queueDepth.set({ class: queue.class }, queue.depth);
      },
    });
    Object.assign(queueOldest, {
      collect: () => {
        for (const queue of index.queues(nowMs()))
          queueOldest.set({ class: queue.class }, queue.oldestSeconds);
      },
    });
  }

  submitted(kind: string, outcome: string): void {
    this.submissions.inc({ kind, outcome });
  }

  canceled(): void {
    this.cancels.inc();
  }

  storedBytes(bytes: number): void {
    this.artifactBytes.set(bytes);
  }
}
