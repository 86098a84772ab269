import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { FailureClass, JobRecord, JobState } from '@e2gate/contracts';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@e2gate/observability';

const M = {
  claims: 'e2gate_job_claims_total',
  queueWait: 'e2gate_job_queue_wait_seconds',
  runTime: 'e2gate_job_run_seconds',
  running: 'e2gate_job_running',
  outcomes: 'e2gate_job_outcomes_total',
  retries: 'e2gate_job_retries_total',
  deadLetters: 'e2gate_job_dead_letters_total',
  lateResults: 'e2gate_job_late_results_dropped_total',
  artifactsDropped: 'e2gate_job_artifacts_dropped_total',
} as const;

export const jobMetricProviders = [
  makeCounterProvider({
    name: M.claims,
    help: 'Jobs claimed by this node by pool and class',
    labelNames: ['pool', 'class'],
  }),
  makeHistogramProvider({
    name: M.queueWait,
    help: 'Time from queueing (or requeueing) to the claim, by pool and class',
    labelNames: ['pool', 'class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600],
  }),
  makeHistogramProvider({
    name: M.runTime,
    help: 'Run time of attempts on this node by kind and pool',
    labelNames: ['kind', 'pool'],
    buckets: [0.1, 1, 5, 30, 60, 300, 900, 1800, 3600, 7200],
  }),
  makeGaugeProvider({ name: M.running, help: 'Jobs this node runs now' }),
  makeCounterProvider({
    name: M.outcomes,
    help: 'Jobs this node ended by final state and failure class',
    labelNames: ['state', 'failure_class'],
  }),
  makeCounterProvider({
    name: M.retries,
    help: 'Attempts that failed and will be retried, by failure class',
    labelNames: ['failure_class'],
  }),
  makeCounterProvider({
    name: M.deadLetters,
    help: 'Queue messages that exhausted their deliveries (dead-lettered)',
  }),
  makeCounterProvider({
    name: M.lateResults,
    help: 'Results of attempts that had lost their lease, dropped by fencing',
  }),
  makeCounterProvider({ name: M.artifactsDropped, help: 'Artefacts removed for age or to make room' }),
];

/** The job worker's Prometheus metrics (the gateway exports the cluster-wide queue and state gauges). */
@Injectable()
export class JobMetrics {
  constructor(
    @InjectMetric(M.claims) private readonly claims: Counter<string>,
    @InjectMetric(M.queueWait) private readonly queueWait: Histogram<string>,
    @InjectMetric(M.runTime) private readonly runTime: Histogram<string>,
    @InjectMetric(M.running) private readonly running: Gauge<string>,
    @InjectMetric(M.outcomes) private readonly outcomes: Counter<string>,
    @InjectMetric(M.retries) private readonly retries: Counter<string>,
    @InjectMetric(M.deadLetters) private readonly deadLetters: Counter<string>,
    @InjectMetric(M.lateResults) private readonly lateResults: Counter<string>,
    @InjectMetric(M.artifactsDropped) private readonly dropped: Counter<string>,
  ) {}

  claimed(job: Pick<JobRecord, 'pool' | 'class'>, waitedMs: number): void {
    this.claims.inc({ pool: job.pool, class: job.class });
    this.queueWait.observe({ pool: job.pool, class: job.class }, waitedMs / 1000);
    this.running.inc();
  }

  ran(job: Pick<JobRecord, 'kind' | 'pool'>, seconds: number): void {
    this.runTime.observe({ kind: job.kind, pool: job.pool }, seconds);
    this.running.dec();
  }

  finished(state: JobState, failureClass: FailureClass | 'none' = 'none'): void {
    this.outcomes.inc({ state, failure_class: failureClass });
  }

  retried(failureClass: FailureClass): void {
    this.retries.inc({ failure_class: failureClass });
  }

  deadLettered(): void {
    this.deadLetters.inc();
  }

  lateResultDropped(): void {
    this.lateResults.inc();
  }

  artifactsDropped(count: number): void {
    if (count > 0) this.dropped.inc(count);
  }
}
