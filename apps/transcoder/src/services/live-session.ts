import { Logger } from '@nestjs/common';
import { E2gateError, errorMessage, ErrorCode, type Channel, type StreamProfile } from '@e2gate/contracts';
import type { EnginePipeline, EngineRepository, PipelineOutput } from '../repositories/engine.repository.js';
import type { ReceiverRepository } from '../repositories/receiver.repository.js';
import type { StreamPublisherRepository } from '../repositories/stream-publisher.repository.js';
import type {
  UpstreamConnection,
  UpstreamEnd,
  UpstreamRepository,
} from '../repositories/upstream.repository.js';
import { reconnectDelay } from './reconnect-policy.js';
import { chunksForViewers } from './ts-chunks.js';

export interface LiveSessionDeps {
  receiver: ReceiverRepository;
  upstream: UpstreamRepository;
  engine: EngineRepository;
  publisher: StreamPublisherRepository;
  monotonicMs(): number;
  random(): number;
}

export interface LiveSessionOptions {
  sessionId: string;
  channel: Pick<Channel, 'id' | 'name' | 'ref' | 'sid'>;
  profile: StreamProfile;
  upstreamRetryMs: number;
  upstreamStallMs: number;
}

export type LiveSessionState = 'starting' | 'live' | 'reconnecting' | 'closing';

/** Why a session ended, for its closed event and the logs. */
export interface SessionEnd {
  reason: 'idle' | 'closed' | 'upstream' | 'shutdown' | 'failed';
  error?: E2gateError;
}

export interface LiveSessionEvents {
  /** The first TS bytes went out. */
  onLive(): void;
  /** The upstream broke and is being reconnected (viewers stay connected). */
  onReconnect(): void;
  /** The session is over (its end marker is out, the upstream closed). */
  onEnded(end: SessionEnd): void;
}

/**
 * One live session: the receiver's stream for one service → the engine (TS out, audio AAC or copied) → chunks on
 * `stream.data.<sessionId>`. A dropped upstream is reconnected with jittered backoff for `E2GATE_UPSTREAM_RETRY`
 * while viewers stay connected (the engine marks the break as a discontinuity); a box that refuses the stream or
 * sends nothing ends the session with a clear error.
 */
export class LiveSession {
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private pipeline: EnginePipeline | null = null;
  private connection: UpstreamConnection | null = null;
  private target: { url: string; program: number } | null = null;
  private current: LiveSessionState = 'starting';
  private ended = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private outage: { since: number; attempts: number } | null = null;
  private live = false;
  readonly startedAt: number;
  bytesIn = 0;
  bytesOut = 0;
  reconnects = 0;

  constructor(
    private readonly options: LiveSessionOptions,
    private readonly deps: LiveSessionDeps,
    private readonly events: LiveSessionEvents,
  ) {
    this.logger = new Logger(`LiveSession ${options.sessionId}`);
    this.startedAt = deps.monotonicMs();
  }

  get state(): LiveSessionState {
    return this.current;
  }

  /** Warnings of the engine by kind (continuity errors, scrambled packets, timestamp jumps, …). */
  get warnings(): Record<string, number> {
    return this.pipeline?.stats().warnings ?? {};
  }

  /** Resolves the stream on the receiver and starts reading it; failures before the first bytes end the session. */
  start(): void {
    void this.resolveAndConnect();
  }

  /** Ends the session: closes the upstream, flushes the engine, sends the end marker. Idempotent. */
  stop(end: SessionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.current = 'closing';
    this.abort.abort();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.connection?.close();
    this.connection = null;
    const pipeline = this.pipeline;
    this.pipeline = null;
    pipeline?.destroy();
    this.deps.publisher.end(this.options.sessionId);
    this.events.onEnded(end);
  }

  private async resolveAndConnect(): Promise<void> {
    try {
      const { channel } = this.options;
      const target = await this.deps.receiver.streamTarget(channel.ref, channel.name, this.abort.signal);
      if (this.ended) return;
      this.target = { url: target.url, program: target.program ?? channel.sid };
      this.pipeline = this.deps.engine.createPipeline(
        {
          output: 'ts',
          ...(this.target.program > 0 ? { serviceId: this.target.program } : {}),
          audio: this.options.profile === 'copy' ? 'copy' : 'aac',
        },
        (output) => this.onOutput(output),
      );
      this.connect();
    } catch (error) {
      if (this.ended) return;
      const failure =
        error instanceof E2gateError ? error : new E2gateError(ErrorCode.Internal, errorMessage(error));
      this.stop({ reason: 'upstream', error: failure });
    }
  }

  private connect(): void {
    if (this.ended || !this.target) return;
    this.connection = this.deps.upstream.open(
      this.target.url,
      this.deps.receiver.credentials,
      this.options.upstreamStallMs,
      {
        onData: (chunk) => this.onUpstreamData(chunk),
        onEnd: (end) => this.onUpstreamEnd(end),
      },
    );
  }

  private onUpstreamData(chunk: Buffer): boolean {
    const pipeline = this.pipeline;
    if (!pipeline) return false;
    this.bytesIn += chunk.length;
    if (this.outage) {
      this.logger.log(`upstream back after ${this.outage.attempts} attempt(s)`);
      this.outage = null;
      this.current = this.live ? 'live' : 'starting';
    }
    try {
      return pipeline.push(chunk);
    } catch (error) {
      this.stop({ reason: 'failed', error: new E2gateError(ErrorCode.Internal, errorMessage(error)) });
      return false;
    }
  }

  private onOutput(output: PipelineOutput): void {
    switch (output.kind) {
      case 'ts':
        if (output.data) this.publish(output.data);
        return;
      case 'drain':
        this.connection?.resume();
        return;
      case 'error':
        this.stop({
          reason: 'failed',
          error: new E2gateError(ErrorCode.Internal, `engine: ${output.code ?? ''} ${output.message ?? ''}`),
        });
        return;
      default:
        return;
    }
  }

  private publish(data: Buffer): void {
    for (const chunk of chunksForViewers(data)) {
      this.deps.publisher.publish(this.options.sessionId, chunk.bytes, chunk.key);
      this.bytesOut += chunk.bytes.length;
    }
    if (!this.live) {
      this.live = true;
      this.current = 'live';
      this.events.onLive();
    }
  }

  private onUpstreamEnd(end: UpstreamEnd): void {
    this.connection = null;
    if (this.ended) return;
    if (end.kind === 'refused' || end.kind === 'silent') {
      const code = end.kind === 'silent' ? ErrorCode.ReceiverTimeout : ErrorCode.ReceiverStreamRefused;
      this.stop({ reason: 'upstream', error: new E2gateError(code, end.message) });
      return;
    }
    const now = this.deps.monotonicMs();
    this.outage ??= { since: now, attempts: 0 };
    this.outage.attempts++;
    const wait = reconnectDelay(
      this.outage.attempts,
      now - this.outage.since,
      this.options.upstreamRetryMs,
      this.deps.random(),
    );
    if (wait === null) {
      const code =
        end.kind === 'unreachable' ? ErrorCode.ReceiverUnreachable : ErrorCode.ReceiverStreamRefused;
      this.stop({
        reason: 'upstream',
        error: new E2gateError(code, `${end.message}; gave up after ${this.outage.attempts} attempt(s)`),
      });
      return;
    }
    if (this.outage.attempts === 1) {
      this.logger.warn(`upstream ${end.kind}: ${end.message}; reconnecting`);
      this.reconnects++;
      this.events.onReconnect();
    }
    this.current = 'reconnecting';
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, wait);
  }
}
