import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import {
  Bucket,
  STREAM_KEY_HEADER,
  Subject,
  streamDataSubject,
  type NodeRecord,
  type SessionRecord,
  type HlsProfile,
  type StreamProfile,
  type TranscoderSessionOpenReply,
  type TranscoderSessionOpenRequest,
  E2gateError,
  ErrorCode,
} from '@e2gate/contracts';
import { NatsClientService, NatsConnectionService, NoResponderError, storedKvKeys } from '@e2gate/nats';
import { instanceName } from '@e2gate/observability';

/** Session records in the `sessions` KV (HLS segment indexes share the bucket under `h.`). */
const SESSION_KEYS = 's.>';

/**
 * Live sessions of the transcoder service: open over `transcoder.cmd.session.open`, TS chunks on `stream.data.*`,
 * viewer counts and stops as broadcast commands, session and node records read from their KV buckets.
 */
@Injectable()
export class TranscoderRepository {
  /** This replica as the transcoders see it (viewer counts are kept per replica; two may share a process in tests). */
  readonly requester = `${instanceName('gateway')}-${randomBytes(3).toString('hex')}`;

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
    return this.open({ channelId, delivery: 'ts', profile, requester: this.requester }, requestId);
  }

  /** Opens or joins the channel's HLS session of that profile (audio always AAC). */
  openHlsSession(
    channelId: string,
    profile: HlsProfile,
    requestId: string,
  ): Promise<TranscoderSessionOpenReply> {
    return this.open({ channelId, delivery: 'hls', profile, requester: this.requester }, requestId);
  }

  /** No transcoder answering becomes a clear 503; a transcoder's own refusal keeps its reason. */
  private async open(
    request: TranscoderSessionOpenRequest,
    requestId: string,
  ): Promise<TranscoderSessionOpenReply> {
    try {
      return await this.client.request(Subject.TranscoderCmdSessionOpen, request, {
        timeoutMs: this.config.streamOpenTimeoutMs,
        correlationId: requestId,
      });
    } catch (error) {
      if (error instanceof NoResponderError) {
        throw new E2gateError(ErrorCode.Unavailable, 'no transcoder is available to stream this channel');
      }
      throw error;
    }
  }

  /**
   * Subscribes to a session's TS chunks; `key` marks a chunk a viewer can start with; null marks the end of the
   * session (an empty message).
   */
  async subscribeData(
    sessionId: string,
    onChunk: (chunk: Uint8Array | null, key: boolean) => void,
  ): Promise<Subscription> {
    const nc = await this.nats.connection();
    const subscription = nc.subscribe(streamDataSubject(sessionId), {
      callback: (error, msg) => {
        if (error || msg.data.length === 0) return onChunk(null, false);
        onChunk(msg.data, msg.headers?.get(STREAM_KEY_HEADER) === '1');
      },
    });
    await nc.flush(); // the server knows the subscription before the client is told the stream started
    return subscription;
  }

  /** This replica's viewer count of a session (the transcoder closes sessions nobody watches). */
  async touch(sessionId: string, viewers: number): Promise<void> {
    await this.client.publish(Subject.TranscoderCmdSessionTouch, {
      sessionId,
      gateway: this.requester,
      viewers,
    });
  }

  async close(sessionId: string, reason: string): Promise<void> {
    await this.client.publish(Subject.TranscoderCmdSessionClose, { sessionId, reason });
  }

  /** Every live session (bucket absent: no transcoder ever ran, so none). */
  sessions(): Promise<SessionRecord[]> {
    return this.records<SessionRecord>(Bucket.Sessions, SESSION_KEYS);
  }

  nodes(): Promise<NodeRecord[]> {
    return this.records<NodeRecord>(Bucket.Nodes, '>');
  }

  private async records<T>(bucket: string, keys: string): Promise<T[]> {
    const kvm = await this.nats.kvm();
    const kv = await kvm.open(bucket);
    try {
      await kv.status();
    } catch {
      return [];
    }
    const out: T[] = [];
    for (const key of await storedKvKeys(await this.nats.jsm(), bucket, keys)) {
      const entry = await kv.get(key);
      if (entry && entry.operation === 'PUT' && entry.length > 0) out.push(entry.json<T>());
    }
    return out;
  }
}
