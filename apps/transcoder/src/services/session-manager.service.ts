import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type TranscoderConfig } from '@e2gate/config';
import {
  E2gateError,
  errorMessage,
  ErrorCode,
  sessionKey,
  transcodeSlots,
  type Channel,
  type SessionRecord,
  type StreamDelivery,
  type StreamProfile,
  type TranscoderSessionOpenReply,
  type TranscoderSessionOpenRequest,
  VIEWER_TOUCH_INTERVAL_MS,
} from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { TranscoderMetrics } from '../metrics/transcoder.metrics.js';
import { CatalogChannelsRepository } from '../repositories/catalog-channels.repository.js';
import { EngineRepository } from '../repositories/engine.repository.js';
import { HlsStoreRepository } from '../repositories/hls-store.repository.js';
import { NodeInboxRepository } from '../repositories/node-inbox.repository.js';
import { ReceiverRepository } from '../repositories/receiver.repository.js';
import { SessionEventsRepository } from '../repositories/session-events.repository.js';
import { SessionStoreRepository } from '../repositories/session-store.repository.js';
import { StreamPublisherRepository } from '../repositories/stream-publisher.repository.js';
import { UpstreamRepository } from '../repositories/upstream.repository.js';
import { HlsOutput } from './hls-output.js';
import { sessionProfile } from './engine-profile.js';
import { LiveSession, type SessionEnd } from './live-session.js';
import { NodeRegistryService } from './node-registry.service.js';
import { placeSession } from './placement.js';
import { TunerAdmissionService } from './tuner-admission.service.js';
import { transponderOf } from './transponder.js';
import { TsOutput } from './ts-output.js';
import { ViewerTally } from './viewer-tally.js';

/** When the receiver reports no tuner count and none is configured. */
const FALLBACK_TUNERS = 2;
/** An open waits this long for the first bytes of a new session before it answers anyway (a slow zap). */
const FIRST_BYTES_WAIT_MS = 8_000;
/** What `Retry-After` says when no node has room. */
const CAPACITY_RETRY_SECONDS = 15;

interface Running {
  key: string;
  record: SessionRecord;
  session: LiveSession;
  /** Set for an HLS session: its index is rewritten with every heartbeat. */
  hls: HlsOutput | null;
  viewers: ViewerTally;
  firstBytes: Promise<void>;
  bytesAtLastBeat: number;
}

/**
 * Live sessions of this node and the cluster-wide rules around them: one shared session per channel and profile
 * (created by compare-and-set in the `sessions` KV, so simultaneous opens start one receiver stream), tuner
 * admission, the node's capacity (a full node hands the open to a node with room), viewer touches, idle close, and
 * the heartbeat that keeps each session's record alive.
 */
@Injectable()
export class SessionManagerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SessionManagerService.name);
  private readonly running = new Map<string, Running>();
  /**
   * Sessions this node is creating and admitting (record being written, not yet running). Registered before the
   * record is written: a concurrent open that reads the record meanwhile must see it as running, not take it over.
   */
  private readonly admitting = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private shuttingDown = false;
  /** Hands an open to another node (set by the node inbox, which owns that transport). */
  private handOff:
    ((node: string, request: TranscoderSessionOpenRequest) => Promise<TranscoderSessionOpenReply>) | null =
    null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: TranscoderConfig,
    private readonly catalog: CatalogChannelsRepository,
    private readonly store: SessionStoreRepository,
    private readonly admission: TunerAdmissionService,
    private readonly nodes: NodeRegistryService,
    private readonly inbox: NodeInboxRepository,
    private readonly receiver: ReceiverRepository,
    private readonly upstream: UpstreamRepository,
    private readonly engine: EngineRepository,
    private readonly publisher: StreamPublisherRepository,
    private readonly hlsStore: HlsStoreRepository,
    private readonly events: SessionEventsRepository,
    private readonly metrics: TranscoderMetrics,
    private readonly clock: ClockRepository,
  ) {
    nodes.countSessionsWith(() => ({ sessions: this.running.size, transcodes: this.transcodeCount }));
  }

  useHandOff(
    handOff: (node: string, request: TranscoderSessionOpenRequest) => Promise<TranscoderSessionOpenReply>,
  ): void {
    this.handOff = handOff;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.metrics.sessionCapacity(this.config.maxSessions);
    await this.publisher.ready();
    await this.inbox.serve(this.nodes.nodeId, (request) => this.open(request, true));
    this.heartbeat = setInterval(() => void this.beat(), this.config.heartbeatMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.all([...this.running.values()].map((run) => this.end(run, { reason: 'shutdown' })));
  }

  get sessionCount(): number {
    return this.running.size;
  }

  /** Joins the running session of the channel and profile, or starts one (here, or on a node with room). */
  async open(request: TranscoderSessionOpenRequest, handedOver = false): Promise<TranscoderSessionOpenReply> {
    if (this.shuttingDown) throw new E2gateError(ErrorCode.Unavailable, 'this transcoder is shutting down');
    const delivery = request.delivery;
    const profile = sessionProfile(request);
    const started = this.clock.monotonicMs();
    const channel = await this.channel(request.channelId);
    const key = sessionKey(channel.id, profile, delivery);
    const existing = await this.store.getVersioned(key);
    if (existing) {
      if (await this.isRunning(key, existing.value)) return this.joined(existing.value);
      await this.takeOver(key, existing.revision, existing.value);
    }
    if (!handedOver) {
      const elsewhere = await this.placeElsewhere(profile);
      if (elsewhere) {
        const reply = await this.inbox.handOff(elsewhere, request).catch((error: unknown) => {
          // The other node went away since its last heartbeat: run it here if there is room.
          if (error instanceof E2gateError && error.code === ErrorCode.Unavailable) return null;
          throw error;
        });
        if (reply) return reply;
      }
    }
    if (!this.hasRoom(profile)) throw this.capacityError();
    const record = this.newRecord(channel, delivery, profile);
    this.admitting.add(record.sessionId);
    if (!(await this.store.create(key, record).catch((error: unknown) => this.notAdmitting(record, error)))) {
      this.admitting.delete(record.sessionId);
      const winner = await this.store.get(key);
      if (winner) return this.joined(winner);
      throw new E2gateError(ErrorCode.Unavailable, 'the session ended while it was being joined; try again');
    }
    try {
      if (record.transponder) {
        await this.admission.acquire(record.transponder, record.sessionId, await this.tuners());
      }
    } catch (error) {
      await this.store.remove(key).catch(() => undefined);
      this.metrics.admissionRefused(error instanceof E2gateError ? error.code : ErrorCode.Internal);
      throw error;
    } finally {
      this.admitting.delete(record.sessionId);
    }
    const run = this.start(key, record, channel);
    await this.awaitFirstBytes(run);
    this.metrics.timeToFirstByte(profile, (this.clock.monotonicMs() - started) / 1000);
    this.logger.log(
      `session ${record.sessionId} (${channel.name}, ${profile}) live for ${request.requester ?? '?'}`,
    );
    return { sessionId: record.sessionId, node: this.nodes.nodeId, joined: false };
  }

  /** A gateway's viewer count for a session this node runs (others ignore it). */
  touch(sessionId: string, gateway: string, viewers: number): void {
    const run = this.find(sessionId);
    if (!run) return;
    run.viewers.report(gateway, viewers, this.clock.monotonicMs());
    // A gateway reports a viewer after it subscribed to the session's chunks: the held first GOP can go.
    if (viewers > 0) run.session.release();
  }

  /** Stops a session this node runs (an admin's DELETE); others ignore it. */
  async close(sessionId: string): Promise<void> {
    const run = this.find(sessionId);
    if (run) await this.end(run, { reason: 'closed' });
  }

  private find(sessionId: string): Running | undefined {
    for (const run of this.running.values()) if (run.record.sessionId === sessionId) return run;
    return undefined;
  }

  private async channel(channelId: string): Promise<Pick<Channel, 'id' | 'name' | 'ref' | 'sid' | 'kind'>> {
    const catalog = await this.catalog.current();
    if (!catalog) {
      throw new E2gateError(ErrorCode.NoSnapshot, 'the catalog has not published a channel list yet');
    }
    const channel = catalog.lookup.channel(channelId);
    if (!channel) throw new E2gateError(ErrorCode.NotFound, `no channel ${JSON.stringify(channelId)}`);
    return channel;
  }

  private async tuners(): Promise<number> {
    if (this.config.tuners > 0) return this.config.tuners;
    const reported = (await this.catalog.current())?.head.receiver.tuners ?? 0;
    return reported > 0 ? reported : FALLBACK_TUNERS;
  }

  /** Whether the node of a session record still runs it (a killed node no longer answers its ping). */
  private async isRunning(key: string, record: SessionRecord): Promise<boolean> {
    if (record.node === this.nodes.nodeId) {
      return (
        this.running.get(key)?.record.sessionId === record.sessionId || this.admitting.has(record.sessionId)
      );
    }
    return this.inbox.alive(record.node);
  }

  /** Removes the record of a session whose node died, and frees its tuner, so this open starts it anew. */
  private async takeOver(key: string, revision: number, record: SessionRecord): Promise<void> {
    if (!(await this.store.removeIfUnchanged(key, revision))) return; // someone else took it over first
    this.logger.warn(`session ${record.sessionId} of ${record.node} is gone with its node; starting it anew`);
    this.metrics.sessionEnded(record.profile, 'node-lost');
    await this.admission.prune().catch(() => undefined);
  }

  private notAdmitting(record: SessionRecord, error: unknown): never {
    this.admitting.delete(record.sessionId);
    throw error;
  }

  private joined(record: SessionRecord): TranscoderSessionOpenReply {
    return { sessionId: record.sessionId, node: record.node, joined: true };
  }

  /** Encoder slots the video transcodes of this node hold. */
  get transcodeCount(): number {
    let count = 0;
    for (const run of this.running.values()) count += transcodeSlots(run.record.profile);
    return count;
  }

  private hasRoom(profile: StreamProfile): boolean {
    if (this.running.size >= this.config.maxSessions) return false;
    const slots = transcodeSlots(profile);
    return slots === 0 || this.transcodeCount + slots <= this.config.transcode.maxSessions;
  }

  /** Another node to run a new session on (less busy, or this one is full); null: here. */
  private async placeElsewhere(profile: StreamProfile): Promise<string | null> {
    const self = {
      nodeId: this.nodes.nodeId,
      sessions: this.running.size,
      capacity: this.config.maxSessions,
      transcodeSessions: this.transcodeCount,
      transcodeCapacity: this.config.transcode.maxSessions,
    };
    const others = await this.nodes.list().catch(() => []);
    const target = placeSession(self, others, { slots: transcodeSlots(profile) });
    if (target === null) {
      this.metrics.admissionRefused(ErrorCode.Capacity);
      throw this.capacityError();
    }
    return target === self.nodeId ? null : target;
  }

  private capacityError(): E2gateError {
    return new E2gateError(
      ErrorCode.Capacity,
      'no transcoder has room for another session; try again later',
      {
        retryAfterSeconds: CAPACITY_RETRY_SECONDS,
      },
    );
  }

  private newRecord(
    channel: Pick<Channel, 'id' | 'name' | 'ref'>,
    delivery: StreamDelivery,
    profile: StreamProfile,
  ): SessionRecord {
    const now = new Date(this.clock.nowMs()).toISOString();
    const kind = delivery === 'hls' ? 'hls' : profile;
    return {
      sessionId: `${channel.id}-${kind}-${randomBytes(4).toString('hex')}`,
      channelId: channel.id,
      channelName: channel.name,
      delivery,
      profile,
      node: this.nodes.nodeId,
      bootId: this.nodes.bootId,
      state: 'starting',
      transponder: transponderOf(channel.ref),
      startedAt: now,
      heartbeatAt: now,
      viewers: 0,
      bitrateBps: 0,
      bytesIn: 0,
      bytesOut: 0,
      reconnects: 0,
      warnings: {},
    };
  }

  private start(
    key: string,
    record: SessionRecord,
    channel: Pick<Channel, 'id' | 'name' | 'ref' | 'sid'>,
  ): Running {
    let live!: () => void;
    let failed!: (error: E2gateError) => void;
    const firstBytes = new Promise<void>((resolve, reject) => {
      live = resolve;
      failed = reject;
    });
    firstBytes.catch(() => undefined);
    let hls: HlsOutput | null = null;
    const session = new LiveSession(
      {
        sessionId: record.sessionId,
        channel,
        profile: record.profile,
        transcode: this.config.transcode,
        upstreamRetryMs: this.config.upstreamRetryMs,
        upstreamStallMs: this.config.upstreamStallMs,
        output: (events) => {
          if (record.delivery === 'ts') return new TsOutput(record.sessionId, this.publisher, events);
          hls = new HlsOutput(
            record.sessionId,
            record.channelId,
            {
              windowMs: this.config.hls.timeshiftMs,
              segmentSeconds: this.config.hls.segmentMs / 1000,
              // A first segment of one GOP: the held index.m3u8 answers about a target duration sooner.
              fastStart: true,
            },
            this.hlsStore,
            events,
            () => this.clock.nowMs(),
          );
          return hls;
        },
      },
      {
        receiver: this.receiver,
        upstream: this.upstream,
        engine: this.engine,
        monotonicMs: () => this.clock.monotonicMs(),
        random: Math.random,
      },
      {
        onLive: () => live(),
        onReconnect: () => this.metrics.upstreamReconnect(record.profile),
        onEnded: (end) => {
          failed(end.error ?? new E2gateError(ErrorCode.Unavailable, `session ended (${end.reason})`));
          void this.forget(run, end);
        },
      },
    );
    const run: Running = {
      key,
      record,
      session,
      hls,
      viewers: new ViewerTally(3 * VIEWER_TOUCH_INTERVAL_MS, this.clock.monotonicMs()),
      firstBytes,
      bytesAtLastBeat: 0,
    };
    this.running.set(key, run);
    this.metrics.sessionsChanged(this.running.values());
    session.start();
    return run;
  }

  /** Waits for the first bytes of a new session; a failure before them is the open's error. */
  private async awaitFirstBytes(run: Running): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_BYTES_WAIT_MS)));
    try {
      await Promise.race([run.firstBytes, slow]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async end(run: Running, end: SessionEnd): Promise<void> {
    run.session.stop(end);
    await this.forget(run, end);
  }

  /** After a session ended, however: free its tuner, drop its record, say so. Runs once per session. */
  private async forget(run: Running, end: SessionEnd): Promise<void> {
    if (this.running.get(run.key) !== run) return;
    this.running.delete(run.key);
    this.metrics.countTraffic(run.session);
    this.metrics.sessionsChanged(this.running.values());
    this.metrics.sessionEnded(run.record.profile, end.reason);
    const { sessionId, channelId, profile } = run.record;
    const detail = end.error ? `: ${end.error.code} ${end.error.message}` : '';
    this.logger.log(`session ${sessionId} ended (${end.reason})${detail}`);
    await Promise.all([
      this.store
        .remove(run.key)
        .catch((error: unknown) => this.logger.warn(`record not removed: ${errorMessage(error)}`)),
      run.record.transponder
        ? this.admission
            .release(sessionId)
            .catch((error: unknown) => this.logger.warn(`tuner not released: ${errorMessage(error)}`))
        : Promise.resolve(),
    ]);
    await this.events
      .closed({
        sessionId,
        channelId,
        profile,
        node: this.nodes.nodeId,
        reason: end.reason,
        ...(end.error ? { code: end.error.code } : {}),
      })
      .catch(() => undefined);
  }

  /** Every heartbeat: refresh each record (viewers, bytes, state), close sessions idle for `E2GATE_SESSION_IDLE`. */
  private async beat(): Promise<void> {
    const now = this.clock.monotonicMs();
    // Idle sessions close and records are written side by side: one slow write never delays the others.
    await Promise.all([...this.running.values()].map((run) => this.beatOne(run, now)));
    this.metrics.sessionsChanged(this.running.values());
    const tuners = await this.tuners().catch(() => 0);
    const inUse = await this.admission.inUse().catch(() => 0);
    this.metrics.tunersInUse(inUse, tuners);
  }

  private async beatOne(run: Running, now: number): Promise<void> {
    const idleMs = run.record.delivery === 'hls' ? this.config.hls.idleMs : this.config.sessionIdleMs;
    if (run.viewers.idleFor(now) >= idleMs) {
      await this.end(run, { reason: 'idle' });
      return;
    }
    await run.hls
      ?.refreshIndex()
      .catch((error: unknown) => this.logger.warn(`HLS index not refreshed: ${errorMessage(error)}`));
    const { session } = run;
    const bytesSince = session.bytesIn - run.bytesAtLastBeat;
    run.bytesAtLastBeat = session.bytesIn;
    run.record = {
      ...run.record,
      state: session.state,
      heartbeatAt: new Date(this.clock.nowMs()).toISOString(),
      viewers: run.viewers.total(now),
      bitrateBps: Math.round((bytesSince * 8 * 1000) / this.config.heartbeatMs),
      bytesIn: session.bytesIn,
      bytesOut: session.bytesOut,
      reconnects: session.reconnects,
      warnings: session.warnings,
      ...(session.encoder ? { encoder: session.encoder } : {}),
    };
    await this.store
      .put(run.key, run.record)
      .catch((error: unknown) => this.logger.warn(`session record not refreshed: ${errorMessage(error)}`));
  }
}
