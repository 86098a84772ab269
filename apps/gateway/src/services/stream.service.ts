import type { Readable } from 'node:stream';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import {
  E2gateError,
  errorMessage,
  ErrorCode,
  VIEWER_TOUCH_INTERVAL_MS,
  type StreamProfile,
  zeroPerProfile,
} from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { TranscoderRepository } from '../repositories/transcoder.repository.js';
import { SessionHub } from './session-hub.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';

/** A session that sends nothing for this long is considered gone. */
const IDLE_TIMEOUT_MS = 20_000;
/** The current GOP kept for joining viewers: 2 s of a 20 Mb/s service fits. */
const MAX_GOP_BYTES = 8 * 1024 * 1024;
const CAPACITY_RETRY_SECONDS = 15;

export interface OpenedStream {
  sessionId: string;
  body: Readable;
}

interface Relay {
  hub: SessionHub;
  profile: StreamProfile;
  subscription: Subscription | null;
  idle: NodeJS.Timeout | null;
  touch: NodeJS.Timeout | null;
}

/**
 * `/stream/<channel>`: opens or joins a live TS session on the transcoder service (`transcoder.cmd.session.open`)
 * and relays it. One NATS subscription per session on this replica, however many watch (a `SessionHub`); the
 * transcoder hears this replica's viewer count on every join and leave and every two seconds. Bounded: sessions
 * relayed, viewers per session, bytes queued per viewer. With no transcoder running the client gets a fast 503.
 */
@Injectable()
export class StreamService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamService.name);
  private readonly relays = new Map<string, Relay>();
  private closing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly follower: SnapshotFollowerService,
    private readonly transcoder: TranscoderRepository,
    private readonly metrics: GatewayMetrics,
    private readonly clock: ClockRepository,
  ) {}

  async open(channelId: string, profile: StreamProfile, requestId: string): Promise<OpenedStream> {
    if (this.closing) throw new E2gateError(ErrorCode.Unavailable, 'the gateway is shutting down');
    const { channel } = this.follower.requireChannel(channelId);
    const asked = this.clock.monotonicMs();
    let session;
    try {
      session = await this.transcoder.openTsSession(channel.id, profile, requestId);
    } catch (error) {
      const code = error instanceof E2gateError ? error.code : ErrorCode.Internal;
      this.metrics.streamOpen(code);
      throw error;
    }
    const relay = await this.relay(session.sessionId, profile);
    if (relay.hub.size >= this.config.streams.maxViewersPerSession) {
      this.metrics.streamOpen(ErrorCode.Capacity);
      throw this.full(`${relay.hub.size} viewers already watch this session here`);
    }
    this.metrics.streamOpen('ok');
    const body = relay.hub.join();
    const kind = session.joined ? 'joined' : 'new';
    body.once('data', () =>
      this.metrics.streamFirstByte(profile, kind, (this.clock.monotonicMs() - asked) / 1000),
    );
    return { sessionId: session.sessionId, body };
  }

  /** Stops a session for everyone (admin): the transcoder ends it, every relay ends with its end marker. */
  async stop(sessionId: string): Promise<void> {
    await this.transcoder.close(sessionId, 'admin');
  }

  /** Ends every live stream cleanly (the response ends, the viewer's player reconnects elsewhere). */
  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const [sessionId, relay] of [...this.relays]) this.finish(sessionId, relay, 'gateway shutting down');
  }

  private async relay(sessionId: string, profile: StreamProfile): Promise<Relay> {
    const running = this.relays.get(sessionId);
    if (running) return running;
    if (this.relays.size >= this.config.streams.maxSessions) {
      this.metrics.streamOpen(ErrorCode.Capacity);
      throw this.full(`this gateway relays ${this.relays.size} sessions already`);
    }
    const relay: Relay = {
      hub: this.newHub(sessionId, profile),
      profile,
      subscription: null,
      idle: null,
      touch: null,
    };
    this.relays.set(sessionId, relay);
    try {
      relay.subscription = await this.transcoder.subscribeData(sessionId, (chunk, key) => {
        if (chunk === null) return this.finish(sessionId, relay, 'session closed');
        this.armIdle(sessionId, relay);
        relay.hub.chunk(chunk, key);
      });
    } catch (error) {
      this.finish(sessionId, relay, null);
      throw error;
    }
    if (this.closing) {
      this.finish(sessionId, relay, null); // shutdown began while subscribing
      throw new E2gateError(ErrorCode.Unavailable, 'the gateway is shutting down');
    }
    this.armIdle(sessionId, relay);
    relay.touch = setInterval(() => this.touch(sessionId, relay.hub.size), VIEWER_TOUCH_INTERVAL_MS);
    return relay;
  }

  private newHub(sessionId: string, profile: StreamProfile): SessionHub {
    return new SessionHub(
      { maxBufferedBytes: this.config.streams.viewerBufferBytes, maxGopBytes: MAX_GOP_BYTES },
      {
        onViewers: (count) => {
          this.touch(sessionId, count);
          this.countViewers();
          const relay = this.relays.get(sessionId);
          if (count === 0 && relay) this.finish(sessionId, relay, null);
        },
        onSlowViewer: () => {
          this.metrics.slowViewerCutOff();
          this.logger.warn(`a viewer of ${sessionId} (${profile}) was too slow and was cut off`);
        },
        onFirstBytes: () => undefined,
        onBytes: (count) => this.metrics.streamBytesOut(count),
      },
      () => this.clock.monotonicMs(),
    );
  }

  private touch(sessionId: string, viewers: number): void {
    this.transcoder
      .touch(sessionId, viewers)
      .catch((error: unknown) =>
        this.logger.warn(`viewer count of ${sessionId} not sent: ${errorMessage(error)}`),
      );
  }

  private armIdle(sessionId: string, relay: Relay): void {
    if (relay.idle) clearTimeout(relay.idle);
    relay.idle = setTimeout(() => this.finish(sessionId, relay, 'session idle'), IDLE_TIMEOUT_MS);
  }

  /** Stops relaying a session here: its viewers' responses end, the subscription goes. */
  private finish(sessionId: string, relay: Relay, reason: string | null): void {
    if (this.relays.get(sessionId) !== relay) return;
    this.relays.delete(sessionId);
    if (relay.idle) clearTimeout(relay.idle);
    if (relay.touch) clearInterval(relay.touch);
    relay.subscription?.unsubscribe();
    if (reason && relay.hub.size > 0)
      this.logger.log(`stream ${sessionId} ended for ${relay.hub.size} viewer(s): ${reason}`);
    relay.hub.end();
    this.countViewers();
  }

  private countViewers(): void {
    const byProfile = zeroPerProfile();
    for (const relay of this.relays.values()) byProfile[relay.profile] += relay.hub.size;
    for (const [profile, count] of Object.entries(byProfile)) this.metrics.streamViewersNow(profile, count);
  }

  private full(why: string): E2gateError {
    return new E2gateError(ErrorCode.Capacity, `no room for another viewer: ${why}`, {
      retryAfterSeconds: CAPACITY_RETRY_SECONDS,
    });
  }
}
