import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  makeHttpDurationHistogramProvider,
} from '@e2gate/observability';

export const GatewayMetric = {
  httpDuration: 'e2gate_gateway_http_request_duration_seconds',
  authFailures: 'e2gate_gateway_auth_failures_total',
  settingsReloads: 'e2gate_gateway_settings_reloads_total',
  throttled: 'e2gate_gateway_throttled_requests_total',
  catalogAge: 'e2gate_gateway_catalog_age_seconds',
  catalogStale: 'e2gate_gateway_catalog_stale',
  snapshotLoaded: 'e2gate_gateway_catalog_snapshot_loaded',
  snapshotsRejected: 'e2gate_gateway_catalog_snapshots_rejected_total',
  natsState: 'e2gate_gateway_nats_connection_state',
  renderCacheBytes: 'e2gate_gateway_render_cache_bytes',
  renderCacheEvictions: 'e2gate_gateway_render_cache_evictions_total',
  discoveryReplies: 'e2gate_gateway_hdhomerun_discovery_replies_total',
  streamOpens: 'e2gate_gateway_stream_opens_total',
  streamViewers: 'e2gate_gateway_stream_viewers',
  slowViewers: 'e2gate_gateway_stream_slow_viewer_cutoffs_total',
  firstByte: 'e2gate_gateway_stream_time_to_first_byte_seconds',
  streamBytes: 'e2gate_gateway_stream_bytes_total',
  renders: 'e2gate_gateway_renders_total',
  hlsSegmentReads: 'e2gate_gateway_hls_segment_reads_total',
  hlsBytes: 'e2gate_gateway_hls_bytes_total',
  hlsViewers: 'e2gate_gateway_hls_viewers',
  hlsSegmentCacheBytes: 'e2gate_gateway_hls_segment_cache_bytes',
} as const;

export const gatewayMetricProviders = [
  makeHttpDurationHistogramProvider(GatewayMetric.httpDuration),
  makeCounterProvider({
    name: GatewayMetric.authFailures,
    help: 'Rejected credentials and missing authentication by error code',
    labelNames: ['code'],
  }),
  makeCounterProvider({
    name: GatewayMetric.settingsReloads,
    help: 'Settings reloads (SIGHUP, admin API) by outcome: applied, rejected',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: GatewayMetric.throttled,
    help: 'Requests answered 429 by limiter (api, refresh, auth)',
    labelNames: ['limiter'],
  }),
  makeGaugeProvider({
    name: GatewayMetric.catalogAge,
    help: 'Seconds since the served snapshot was refreshed',
  }),
  makeGaugeProvider({
    name: GatewayMetric.catalogStale,
    help: '1 when the catalog marks the snapshot stale',
  }),
  makeGaugeProvider({ name: GatewayMetric.snapshotLoaded, help: '1 when this replica serves a snapshot' }),
  makeCounterProvider({
    name: GatewayMetric.snapshotsRejected,
    help: 'Catalog snapshots or meta records refused by validation (the last valid snapshot stays served)',
  }),
  makeGaugeProvider({
    name: GatewayMetric.natsState,
    help: 'NATS connection state of this replica (1 = current)',
    labelNames: ['state'],
  }),
  makeGaugeProvider({
    name: GatewayMetric.renderCacheBytes,
    help: 'Bytes of rendered playlists/guides in memory',
  }),
  makeCounterProvider({
    name: GatewayMetric.renderCacheEvictions,
    help:
      'Rendered documents dropped from memory before their snapshot version ended, by reason (bytes: the ' +
      'E2GATE_RENDER_CACHE_MB bound; base-url: more distinct base URLs than E2GATE_RENDER_BASE_URLS)',
    labelNames: ['reason'],
  }),
  makeCounterProvider({
    name: GatewayMetric.discoveryReplies,
    help: 'HDHomeRun UDP discovery packets by outcome (answered, ignored, invalid, limited)',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: GatewayMetric.renders,
    help: 'Playlist/guide/lineup renderings (once per snapshot version and variant; the rest is served from memory)',
    labelNames: ['document'],
  }),
  makeCounterProvider({
    name: GatewayMetric.streamOpens,
    help: 'Stream session requests by outcome (ok or error code)',
    labelNames: ['outcome'],
  }),
  makeGaugeProvider({
    name: GatewayMetric.streamViewers,
    help: 'Viewers of live TS streams on this replica by profile',
    labelNames: ['profile'],
  }),
  makeCounterProvider({
    name: GatewayMetric.slowViewers,
    help: 'Viewers cut off for reading too slowly (E2GATE_VIEWER_BUFFER_MB queued)',
  }),
  makeHistogramProvider({
    name: GatewayMetric.firstByte,
    help: 'From a stream request to its first bytes (PAT, PMT, keyframe) by profile and whether the session was new',
    labelNames: ['profile', 'session'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 8],
  }),
  makeCounterProvider({ name: GatewayMetric.streamBytes, help: 'Bytes of live TS written to viewers' }),
  makeCounterProvider({
    name: GatewayMetric.hlsSegmentReads,
    help: 'HLS segment parts read from the Object Store (once per segment per replica; the cache serves the rest)',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({ name: GatewayMetric.hlsBytes, help: 'Bytes of HLS segments sent to viewers' }),
  makeGaugeProvider({
    name: GatewayMetric.hlsViewers,
    help: 'HLS viewers who polled a playlist of this replica in the last 10 s',
  }),
  makeGaugeProvider({
    name: GatewayMetric.hlsSegmentCacheBytes,
    help: 'Bytes held by the HLS segment cache of this replica',
  }),
];

/** Values the gauges read at scrape time. */
export interface GaugeSources {
  catalogAgeSeconds(): number | null;
  catalogStale(): boolean;
  natsState(): string;
  renderCacheBytes(): number;
  hlsViewers(): number;
  hlsSegmentCacheBytes(): number;
}

const NATS_STATES = ['connecting', 'connected', 'reconnecting', 'disconnected', 'closed'];

/** Semantic recording methods over the gateway's Prometheus metrics. */
@Injectable()
export class GatewayMetrics {
  constructor(
    @InjectMetric(GatewayMetric.httpDuration) readonly httpDuration: Histogram<string>,
    @InjectMetric(GatewayMetric.authFailures) private readonly authFailures: Counter<string>,
    @InjectMetric(GatewayMetric.settingsReloads) private readonly settingsReloads: Counter<string>,
    @InjectMetric(GatewayMetric.throttled) private readonly throttled: Counter<string>,
    @InjectMetric(GatewayMetric.catalogAge) private readonly catalogAge: Gauge<string>,
    @InjectMetric(GatewayMetric.catalogStale) private readonly catalogStale: Gauge<string>,
    @InjectMetric(GatewayMetric.snapshotLoaded) private readonly snapshotLoaded: Gauge<string>,
    @InjectMetric(GatewayMetric.snapshotsRejected) private readonly snapshotsRejected: Counter<string>,
    @InjectMetric(GatewayMetric.natsState) private readonly natsState: Gauge<string>,
    @InjectMetric(GatewayMetric.renderCacheBytes) private readonly renderCacheBytes: Gauge<string>,
    @InjectMetric(GatewayMetric.renderCacheEvictions) private readonly renderCacheEvictions: Counter<string>,
    @InjectMetric(GatewayMetric.discoveryReplies) private readonly discoveryReplies: Counter<string>,
    @InjectMetric(GatewayMetric.streamOpens) private readonly streamOpens: Counter<string>,
    @InjectMetric(GatewayMetric.streamViewers) private readonly streamViewers: Gauge<string>,
    @InjectMetric(GatewayMetric.slowViewers) private readonly slowViewers: Counter<string>,
    @InjectMetric(GatewayMetric.firstByte) private readonly firstByte: Histogram<string>,
    @InjectMetric(GatewayMetric.streamBytes) private readonly streamBytes: Counter<string>,
    @InjectMetric(GatewayMetric.renders) private readonly renders: Counter<string>,
    @InjectMetric(GatewayMetric.hlsSegmentReads) private readonly hlsSegmentReads: Counter<string>,
    @InjectMetric(GatewayMetric.hlsBytes) private readonly hlsBytes: Counter<string>,
    @InjectMetric(GatewayMetric.hlsViewers) private readonly hlsViewers: Gauge<string>,
    @InjectMetric(GatewayMetric.hlsSegmentCacheBytes) private readonly hlsSegmentCacheBytes: Gauge<string>,
  ) {}

  /** Wires the gauges to their sources; prom-client calls `collect` on every scrape. */
  readFrom(sources: GaugeSources): void {
    const { catalogAge, catalogStale, snapshotLoaded, natsState, renderCacheBytes } = this;
    Object.assign(catalogAge, {
      collect: () => {
        const age = sources.catalogAgeSeconds();
        catalogAge.set(age ?? 0);
        snapshotLoaded.set(age === null ? 0 : 1);
      },
    });
    Object.assign(catalogStale, { collect: () => catalogStale.set(sources.catalogStale() ? 1 : 0) });
    Object.assign(natsState, {
      collect: () => {
        const current = sources.natsState();
        for (const state of NATS_STATES) natsState.set({ state }, state === current ? 1 : 0);
      },
    });
    Object.assign(renderCacheBytes, { collect: () => renderCacheBytes.set(sources.renderCacheBytes()) });
    const { hlsViewers, hlsSegmentCacheBytes } = this;
    Object.assign(hlsViewers, { collect: () => hlsViewers.set(sources.hlsViewers()) });
    Object.assign(hlsSegmentCacheBytes, {
      collect: () => hlsSegmentCacheBytes.set(sources.hlsSegmentCacheBytes()),
    });
  }

  snapshotRejected(): void {
    this.snapshotsRejected.inc();
  }

  authFailure(code: string): void {
    this.authFailures.inc({ code });
  }

  settingsReload(outcome: 'applied' | 'rejected'): void {
    this.settingsReloads.inc({ outcome });
  }

  throttledRequest(limiter: 'api' | 'refresh' | 'auth'): void {
    this.throttled.inc({ limiter });
  }

  discovery(outcome: 'answered' | 'ignored' | 'invalid' | 'limited'): void {
    this.discoveryReplies.inc({ outcome });
  }

  rendered(document: 'playlist' | 'xmltv' | 'lineup'): void {
    this.renders.inc({ document });
  }

  renderCacheEvicted(reason: 'bytes' | 'base-url', documents: number): void {
    this.renderCacheEvictions.inc({ reason }, documents);
  }

  streamViewersNow(profile: string, count: number): void {
    this.streamViewers.set({ profile }, count);
  }

  slowViewerCutOff(): void {
    this.slowViewers.inc();
  }

  streamFirstByte(profile: string, session: 'new' | 'joined', seconds: number): void {
    this.firstByte.observe({ profile, session }, seconds);
  }

  streamBytesOut(count: number): void {
    this.streamBytes.inc(count);
  }

  streamOpen(outcome: string): void {
    this.streamOpens.inc({ outcome });
  }

  hlsSegmentRead(outcome: 'stored' | 'missing'): void {
    this.hlsSegmentReads.inc({ outcome });
  }

  hlsBytesOut(count: number): void {
    this.hlsBytes.inc(count);
  }
}
