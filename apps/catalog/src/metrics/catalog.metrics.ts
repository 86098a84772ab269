import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@e2gate/observability';
import type { CatalogMetaRecord } from '@e2gate/contracts';
import type { BreakerState } from '@e2gate/openwebif';
import type { Counter, Gauge, Histogram } from 'prom-client';

const M = {
  refreshDuration: 'e2gate_catalog_refresh_duration_seconds',
  refreshes: 'e2gate_catalog_refreshes_total',
  failureStreak: 'e2gate_catalog_refresh_failure_streak',
  channels: 'e2gate_catalog_channels',
  events: 'e2gate_catalog_events',
  partialFailures: 'e2gate_catalog_partial_failures',
  snapshotTimestamp: 'e2gate_catalog_snapshot_timestamp_seconds',
  stale: 'e2gate_catalog_snapshot_stale',
  degraded: 'e2gate_catalog_snapshot_degraded',
  epgCarried: 'e2gate_catalog_epg_carried_channels',
  publicationPending: 'e2gate_catalog_publication_pending',
  snapshotsRejected: 'e2gate_catalog_snapshots_rejected_total',
  receiverRequests: 'e2gate_receiver_requests_total',
  receiverDuration: 'e2gate_receiver_request_duration_seconds',
  breaker: 'e2gate_receiver_breaker_state',
} as const;

const BREAKER_STATES: BreakerState[] = ['closed', 'open', 'half-open', 'isolated'];

export const catalogMetricProviders = [
  makeHistogramProvider({
    name: M.refreshDuration,
    help: 'Duration of catalog refreshes by outcome',
    labelNames: ['outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
  }),
  makeCounterProvider({
    name: M.refreshes,
    help: 'Catalog refreshes by outcome (success, unchanged, failure, cancelled)',
    labelNames: ['outcome'],
  }),
  makeGaugeProvider({
    name: M.failureStreak,
    help: 'Refreshes of this replica that failed in a row since its last successful (or unchanged) one',
  }),
  makeGaugeProvider({ name: M.channels, help: 'Channels in the current snapshot' }),
  makeGaugeProvider({ name: M.events, help: 'EPG events in the current snapshot' }),
  makeGaugeProvider({
    name: M.partialFailures,
    help: 'Partial failures of the last refresh by scope',
    labelNames: ['scope'],
  }),
  makeGaugeProvider({
    name: M.snapshotTimestamp,
    help: 'Unix time of the last successful refresh (age = time() - this)',
  }),
  makeGaugeProvider({ name: M.stale, help: '1 when the served snapshot is stale (last refresh failed)' }),
  makeGaugeProvider({
    name: M.degraded,
    help: '1 when the served snapshot is degraded (EPG loading, or a refresh lost a large part of it)',
  }),
  makeGaugeProvider({
    name: M.epgCarried,
    help: 'Channels whose EPG could not be read and is carried over from an earlier refresh',
  }),
  makeGaugeProvider({
    name: M.publicationPending,
    help: '1 while NATS lacks what this replica serves (a failed write, a lost store); retried until it holds it',
  }),
  makeCounterProvider({
    name: M.snapshotsRejected,
    help: 'Stored snapshots or meta records refused by validation, by where they were read',
    labelNames: ['source'],
  }),
  makeCounterProvider({
    name: M.receiverRequests,
    help: 'Receiver HTTP attempts by endpoint and outcome (ok or error code)',
    labelNames: ['endpoint', 'outcome'],
  }),
  makeHistogramProvider({
    name: M.receiverDuration,
    help: 'Receiver HTTP attempt duration by endpoint',
    labelNames: ['endpoint'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  makeGaugeProvider({
    name: M.breaker,
    help: 'Receiver circuit breaker state (1 = current)',
    labelNames: ['state'],
  }),
];

/** Semantic recording methods over the catalog's Prometheus metrics. */
@Injectable()
export class CatalogMetrics {
  constructor(
    @InjectMetric(M.refreshDuration) private readonly refreshDuration: Histogram<string>,
    @InjectMetric(M.refreshes) private readonly refreshes: Counter<string>,
    @InjectMetric(M.failureStreak) private readonly failureStreak: Gauge<string>,
    @InjectMetric(M.channels) private readonly channels: Gauge<string>,
    @InjectMetric(M.events) private readonly events: Gauge<string>,
    @InjectMetric(M.partialFailures) private readonly partialFailures: Gauge<string>,
    @InjectMetric(M.snapshotTimestamp) private readonly snapshotTimestamp: Gauge<string>,
    @InjectMetric(M.stale) private readonly stale: Gauge<string>,
    @InjectMetric(M.degraded) private readonly degraded: Gauge<string>,
    @InjectMetric(M.epgCarried) private readonly epgCarried: Gauge<string>,
    @InjectMetric(M.publicationPending) private readonly publicationPending: Gauge<string>,
    @InjectMetric(M.snapshotsRejected) private readonly snapshotsRejected: Counter<string>,
    @InjectMetric(M.receiverRequests) private readonly receiverRequests: Counter<string>,
    @InjectMetric(M.receiverDuration) private readonly receiverDuration: Histogram<string>,
    @InjectMetric(M.breaker) private readonly breaker: Gauge<string>,
  ) {
    this.breakerState('closed');
  }

  refreshFinished(outcome: 'success' | 'unchanged' | 'failure' | 'cancelled', durationMs: number): void {
    this.refreshes.inc({ outcome });
    this.refreshDuration.observe({ outcome }, durationMs / 1000);
    if (outcome === 'failure') this.failureStreak.inc();
    else if (outcome !== 'cancelled') this.failureStreak.set(0);
  }

  snapshotServed(meta: CatalogMetaRecord): void {
    this.channels.set(meta.counts.channels);
    this.events.set(meta.counts.events);
    this.epgCarried.set(meta.counts.epgCarried ?? 0);
    this.snapshotTimestamp.set(Date.parse(meta.refreshedAt) / 1000);
    this.stale.set(meta.stale ? 1 : 0);
    this.degraded.set(meta.degraded?.length ? 1 : 0);
    for (const scope of ['bouquet', 'epg', 'picon', 'recordings'] as const) {
      this.partialFailures.set(
        { scope },
        meta.partialFailures.filter((failure) => failure.scope === scope).length,
      );
    }
  }

  publication(pending: boolean): void {
    this.publicationPending.set(pending ? 1 : 0);
  }

  snapshotRejected(source: 'nats' | 'disk'): void {
    this.snapshotsRejected.inc({ source });
  }

  receiverAttempt(endpoint: string, outcome: string, durationMs: number): void {
    this.receiverRequests.inc({ endpoint, outcome });
    this.receiverDuration.observe({ endpoint }, durationMs / 1000);
  }

  breakerState(state: BreakerState): void {
    for (const candidate of BREAKER_STATES)
      this.breaker.set({ state: candidate }, candidate === state ? 1 : 0);
  }
}
