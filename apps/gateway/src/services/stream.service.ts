import { PassThrough, type Readable } from 'node:stream';
import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import { E2gateError, ErrorCode, type StreamProfile } from '@e2gate/contracts';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { TranscoderRepository } from '../repositories/transcoder.repository.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';

/** A slow client is cut off once this much is waiting for it; it never slows the session down. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** A session that sends nothing for this long is considered gone. */
const IDLE_TIMEOUT_MS = 20_000;

export interface OpenedStream {
  sessionId: string;
  body: Readable;
}

/**
 * `/stream/<channel>`: asks the transcoder service for a live TS session (`transcoder.cmd.session.open`) and relays
 * its chunks. With no transcoder running, NATS reports no responders at once and the client gets a fast 503.
 */
@Injectable()
export class StreamService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamService.name);
  /** The end of each live relay: called at shutdown, before the HTTP server waits for its connections. */
  private readonly live = new Set<(reason: string) => void>();
  private closing = false;

  constructor(
    private readonly follower: SnapshotFollowerService,
    private readonly transcoder: TranscoderRepository,
    private readonly metrics: GatewayMetrics,
  ) {}

  async open(channelId: string, profile: StreamProfile, requestId: string): Promise<OpenedStream> {
    if (this.closing) throw new E2gateError(ErrorCode.Unavailable, 'the gateway is shutting down');
    const view = this.follower.current;
    if (!view) throw new E2gateError(ErrorCode.NoSnapshot, 'no catalog snapshot yet');
    const channel = view.channel(channelId);
    if (!channel) throw new E2gateError(ErrorCode.NotFound, `no channel ${JSON.stringify(channelId)}`);
    let session;
    try {
      session = await this.transcoder.openTsSession(channel.id, profile, requestId);
    } catch (error) {
      const code = error instanceof E2gateError ? error.code : ErrorCode.Internal;
      this.metrics.streamOpen(code);
      if (code === ErrorCode.Unavailable) {
        throw new E2gateError(ErrorCode.Unavailable, 'no transcoder is available to stream this channel');
      }
      throw error;
    }
    this.metrics.streamOpen('ok');
    return { sessionId: session.sessionId, body: await this.relay(session.sessionId) };
  }

  /** Ends every live stream cleanly (the response ends, the viewer's player reconnects elsewhere). */
  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const end of [...this.live]) end('gateway shutting down');
  }

  private async relay(sessionId: string): Promise<Readable> {
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    let subscription: Subscription | null = null;
    let idle: NodeJS.Timeout | null = null;
    const finish = (reason: string | null) => {
      this.live.delete(finish);
      if (idle) clearTimeout(idle);
      subscription?.unsubscribe();
      subscription = null;
      if (reason) this.logger.log(`stream ${sessionId} ended for a client: ${reason}`);
      if (!body.destroyed) body.end();
    };
    const armIdle = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => finish('session idle'), IDLE_TIMEOUT_MS);
    };
    this.live.add(finish);
    body.on('close', () => finish(null));
    subscription = await this.transcoder.subscribeData(sessionId, (chunk) => {
      if (chunk === null) return finish('session closed');
      armIdle();
      body.write(chunk);
      if (body.writableLength > MAX_BUFFERED_BYTES) {
        body.destroy();
        finish('client too slow');
      }
    });
    if (this.closing) {
      finish(null); // shutdown began while subscribing
      throw new E2gateError(ErrorCode.Unavailable, 'the gateway is shutting down');
    }
    armIdle();
    return body;
  }
}
