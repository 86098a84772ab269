import { Inject, Injectable } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import {
  Subject,
  streamDataSubject,
  type StreamProfile,
  type TranscoderSessionOpenReply,
} from '@e2gate/contracts';
import { NatsClientService, NatsConnectionService } from '@e2gate/nats';
import { instanceName } from '@e2gate/observability';

/** Live sessions of the transcoder service: open over `transcoder.cmd.session.open`, TS chunks on `stream.data.*`. */
@Injectable()
export class TranscoderRepository {
  private readonly requester = instanceName('gateway');

  constructor(
    private readonly client: NatsClientService,
    private readonly nats: NatsConnectionService,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  openTsSession(
    channelId: string,
    profile: StreamProfile,
    requestId: string,
  ): Promise<TranscoderSessionOpenReply> {
    return this.client.request(
      Subject.TranscoderCmdSessionOpen,
      { channelId, delivery: 'ts', profile, requester: this.requester },
      { timeoutMs: this.config.streamOpenTimeoutMs, correlationId: requestId },
    );
  }

  /** Subscribes to a session's TS chunks; an empty message marks the end of the session. */
  async subscribeData(sessionId: string, onChunk: (chunk: Uint8Array | null) => void): Promise<Subscription> {
    const nc = await this.nats.connection();
    const subscription = nc.subscribe(streamDataSubject(sessionId), {
      callback: (error, msg) => onChunk(error || msg.data.length === 0 ? null : msg.data),
    });
    await nc.flush(); // the server knows the subscription before the client is told the stream started
    return subscription;
  }
}
