import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { StreamProfile, zeroPerProfile, type SessionRecord } from '@e2gate/contracts';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@e2gate/observability';

const M = {
  sessions: 'e2gate_transcoder_sessions',
  capacity: 'e2gate_transcoder_session_capacity',
  viewers: 'e2gate_transcoder_viewers',
  tuners: 'e2gate_transcoder_tuners',
  refused: 'e2gate_transcoder_admissions_refused_total',
  reconnects: 'e2gate_transcoder_upstream_reconnects_total',
  bytes: 'e2gate_transcoder_bytes_total',
  firstByte: 'e2gate_transcoder_time_to_first_byte_seconds',
  ended: 'e2gate_transcoder_sessions_ended_total',
  warnings: 'e2gate_transcoder_engine_warnings_total',
} as const;

export const transcoderMetricProviders = [
  makeGaugeProvider({
    name: M.capacity,
    help: 'Live sessions this node takes at most (E2GATE_TRANSCODER_MAX_SESSIONS)',
  }),
  makeGaugeProvider({
    name: M.sessions,
    help: 'Live sessions of this node by profile',
    labelNames: ['profile'],
  }),
  makeGaugeProvider({
    name: M.viewers,
    help: "Viewers of this node's sessions by profile, as the gateways report them",
    labelNames: ['profile'],
  }),
  makeGaugeProvider({
    name: M.tuners,
    help: 'Receiver tuners: in use (cluster-wide) and total',
    labelNames: ['state'],
  }),
  makeCounterProvider({
    name: M.refused,
    help: 'Session opens refused by reason (TUNERS_BUSY, CAPACITY, …)',
    labelNames: ['reason'],
  }),
  makeCounterProvider({
    name: M.reconnects,
    help: 'Upstream outages reconnected (viewers kept) by profile',
    labelNames: ['profile'],
  }),
  makeCounterProvider({
    name: M.bytes,
    help: 'Bytes read from the receiver (in) and published to viewers (out)',
    labelNames: ['direction'],
  }),
  makeHistogramProvider({
    name: M.firstByte,
    help: "From a new session's open to its first TS bytes (receiver zap included) by profile",
    labelNames: ['profile'],
    buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 8],
  }),
  makeCounterProvider({
    name: M.ended,
    help: 'Sessions ended by profile and reason (idle, closed, upstream, shutdown, failed)',
    labelNames: ['profile', 'reason'],
  }),
  makeCounterProvider({
    name: M.warnings,
    help: 'Warnings of the media engine by kind (continuity errors, scrambled packets, timestamp jumps, …)',
    labelNames: ['kind'],
  }),
];

/** What the session manager needs of a running session for the gauges. */
export interface SessionSample {
  record: Pick<SessionRecord, 'profile' | 'viewers'>;
  session: { bytesIn: number; bytesOut: number; warnings: Record<string, number> };
}

/** Semantic recording methods over the transcoder's Prometheus metrics. */
@Injectable()
export class TranscoderMetrics {
  /** Counter values already exported per session, so totals only grow by what is new. */
  private readonly exported = new WeakMap<
    object,
    { bytesIn: number; bytesOut: number; warnings: Record<string, number> }
  >();

  constructor(
    @InjectMetric(M.sessions) private readonly sessions: Gauge<string>,
    @InjectMetric(M.capacity) private readonly capacity: Gauge<string>,
    @InjectMetric(M.viewers) private readonly viewers: Gauge<string>,
    @InjectMetric(M.tuners) private readonly tuners: Gauge<string>,
    @InjectMetric(M.refused) private readonly refused: Counter<string>,
    @InjectMetric(M.reconnects) private readonly reconnects: Counter<string>,
    @InjectMetric(M.bytes) private readonly bytes: Counter<string>,
    @InjectMetric(M.firstByte) private readonly firstByte: Histogram<string>,
    @InjectMetric(M.ended) private readonly ended: Counter<string>,
    @InjectMetric(M.warnings) private readonly warnings: Counter<string>,
  ) {}

  sessionCapacity(sessions: number): void {
    this.capacity.set(sessions);
  }

  sessionsChanged(running: Iterable<SessionSample>): void {
    const sessions = zeroPerProfile();
    const viewers = zeroPerProfile();
    for (const sample of running) {
      sessions[sample.record.profile]++;
      viewers[sample.record.profile] += sample.record.viewers;
      this.countTraffic(sample.session);
    }
    for (const profile of StreamProfile) {
      this.sessions.set({ profile }, sessions[profile]);
      this.viewers.set({ profile }, viewers[profile]);
    }
  }

  tunersInUse(inUse: number, total: number): void {
    this.tuners.set({ state: 'in_use' }, inUse);
    this.tuners.set({ state: 'total' }, total);
  }

  admissionRefused(reason: string): void {
    this.refused.inc({ reason });
  }

  upstreamReconnect(profile: StreamProfile): void {
    this.reconnects.inc({ profile });
  }

  timeToFirstByte(profile: StreamProfile, seconds: number): void {
    this.firstByte.observe({ profile }, seconds);
  }

  sessionEnded(profile: StreamProfile, reason: string): void {
    this.ended.inc({ profile, reason });
  }

  /** Adds what a session read, published and warned about since the last call (also once more when it ends). */
  countTraffic(session: SessionSample['session']): void {
    const before = this.exported.get(session) ?? { bytesIn: 0, bytesOut: 0, warnings: {} };
    this.bytes.inc({ direction: 'in' }, session.bytesIn - before.bytesIn);
    this.bytes.inc({ direction: 'out' }, session.bytesOut - before.bytesOut);
    const warnings = session.warnings;
    for (const [kind, count] of Object.entries(warnings)) {
      const added = count - (before.warnings[kind] ?? 0);
      if (added > 0) this.warnings.inc({ kind }, added);
    }
    this.exported.set(session, {
      bytesIn: session.bytesIn,
      bytesOut: session.bytesOut,
      warnings: { ...warnings },
    });
  }
}
