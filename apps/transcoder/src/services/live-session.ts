import { Logger } from '@nestjs/common';
import type { TranscodeConfig } from '@e2gate/config';
import { E2gateError, errorMessage, ErrorCode, type Channel, type StreamProfile } from '@e2gate/contracts';
import type { EnginePipeline, EngineRepository, PipelineOutput } from '../repositories/engine.repository.js';
import type { ReceiverRepository } from '../repositories/receiver.repository.js';
import type {
  UpstreamConnection,
  UpstreamEnd,
  UpstreamRepository,
} from '../repositories/upstream.repository.js';
import { engineOptionsFor } from './engine-profile.js';
import { reconnectDelay } from './reconnect-policy.js';
import type { SessionOutput, SessionOutputEvents } from './session-output.js';
import { MAX_CHUNK_BYTES } from './ts-chunks.js';
import { UpstreamBatch } from './upstream-batch.js';

/**
 * Receiver reads are gathered into engine inputs of this size, waiting at most this long (see UpstreamBatch). Two
 * output chunks per input: their two NATS messages then leave in one socket write and reach each gateway in one
 * read (20 sessions: 78 → 70 % of a core for the stack, side by side), for at most 100 ms more delay.
 */
export const INPUT_BATCH_MS = 100;
export const INPUT_BATCH_BYTES = 2 * MAX_CHUNK_BYTES;
/** In the engine's input order: the upstream reconnected here (the output marks a discontinuity). */
const BREAK = Symbol('upstream break');

export interface LiveSessionDeps {
  receiver: ReceiverRepository;
  upstream: UpstreamRepository;
  engine: EngineRepository;
  monotonicMs(): number;
  random(): number;
}

export interface LiveSessionOptions {
  sessionId: string;
  channel: Pick<Channel, 'id' | 'name' | 'ref' | 'sid'>;
  profile: StreamProfile;
  /** How the `h264` profiles transcode video. */
  transcode: Pick<TranscodeConfig, 'height' | 'preset' | 'encoder' | 'device' | 'ladder'>;
  upstreamRetryMs: number;
  upstreamStallMs: number;
  /** Where the engine's output goes (TS chunks or HLS segments); built with the session's output events. */
  output(events: SessionOutputEvents): SessionOutput;
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
 * One live session: the receiver's stream for one service → the engine (audio AAC or copied) → its output (TS
 * chunks on `stream.data.<sessionId>`, or HLS segments). A dropped upstream is reconnected with jittered backoff for `E2GATE_UPSTREAM_RETRY`
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
  private readonly output: SessionOutput;
  private readonly batch = new UpstreamBatch(INPUT_BATCH_BYTES);
  private batchTimer: NodeJS.Timeout | null = null;
  /** Engine input refused by a full queue, pushed again on 'drain'; `BREAK` marks where an upstream reconnected. */
  private readonly refused: (Buffer | typeof BREAK)[] = [];
  readonly startedAt: number;
  bytesIn = 0;
  reconnects = 0;

  constructor(
    private readonly options: LiveSessionOptions,
    private readonly deps: LiveSessionDeps,
    private readonly events: LiveSessionEvents,
  ) {
    this.logger = new Logger(`LiveSession ${options.sessionId}`);
    this.startedAt = deps.monotonicMs();
    this.output = options.output({
      onLive: () => {
        this.live = true;
        if (this.current === 'starting') this.current = 'live';
        this.events.onLive();
      },
      onFailed: (error) =>
        this.stop({ reason: 'failed', error: new E2gateError(ErrorCode.Internal, errorMessage(error)) }),
    });
  }

  get bytesOut(): number {
    return this.output.bytesOut;
  }

  /** The first viewer is there: output held back for it goes out. */
  release(): void {
    this.output.release();
  }

  get state(): LiveSessionState {
    return this.current;
  }

  /** The video encoder while video is transcoded (`software`, `vaapi`, `nvenc`). */
  get encoder(): string | undefined {
    return this.pipeline?.stats().videoEncoder ?? undefined;
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
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.connection?.close();
    this.connection = null;
    const pipeline = this.pipeline;
    this.pipeline = null;
    pipeline?.destroy();
    this.output.end();
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
          ...this.output.engineOptions,
          ...(this.target.program > 0 ? { serviceId: this.target.program } : {}),
          ...engineOptionsFor(this.options.profile, this.options.transcode),
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
    if (!this.pipeline) return false;
    this.bytesIn += chunk.length;
    if (this.outage) {
      this.logger.log(`upstream back after ${this.outage.attempts} attempt(s)`);
      this.outage = null;
      // What the old connection sent went in before (onUpstreamEnd); the break goes right after it.
      if (this.refused.length === 0) this.pipeline.markDiscontinuity();
      else this.refused.push(BREAK);
      this.current = this.live ? 'live' : 'starting';
    }
    const flowing = this.batch.add(chunk, (batch) => this.pushInput(batch));
    if (this.batch.size > 0) {
      this.batchTimer ??= setTimeout(() => {
        this.batchTimer = null;
        this.flushBatch();
      }, INPUT_BATCH_MS);
    }
    return flowing && this.refused.length === 0;
  }

  /** Pushes what the batch gathered (its timer ran out, or the upstream ended). */
  private flushBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    const gathered = this.batch.take();
    if (gathered) this.pushInput(gathered);
  }

  /**
   * Pushes a batch (a view the batch reuses; the engine copies it). An input the engine refuses is copied and kept,
   * pushed again on its 'drain' (never dropped); reading pauses meanwhile.
   */
  private pushInput(input: Buffer): boolean {
    if (this.refused.length === 0 && this.tryPush(input)) return true;
    if (!this.ended) this.refused.push(Buffer.from(input));
    return false;
  }

  /** Pushes kept chunks in order; true when the engine took them all. */
  private pushRefused(): boolean {
    while (this.refused.length > 0) {
      const next = this.refused[0] as Buffer | typeof BREAK;
      if (next === BREAK) this.pipeline?.markDiscontinuity();
      else if (!this.tryPush(next)) return false;
      this.refused.shift();
    }
    return this.pipeline !== null;
  }

  /** One push; false when the engine's queue is full (or the session ended); an engine failure ends the session. */
  private tryPush(input: Buffer): boolean {
    try {
      return this.pipeline?.push(input) ?? false;
    } catch (error) {
      this.stop({ reason: 'failed', error: new E2gateError(ErrorCode.Internal, errorMessage(error)) });
      return false;
    }
  }

  private onOutput(output: PipelineOutput): void | Promise<unknown> {
    switch (output.kind) {
      case 'drain':
        if (this.pushRefused()) this.connection?.resume();
        return;
      case 'error':
        this.stop({
          reason: 'failed',
          error: new E2gateError(ErrorCode.Internal, `engine: ${output.code ?? ''} ${output.message ?? ''}`),
        });
        return;
      case 'end':
        return;
      default:
        return this.ended ? undefined : this.output.write(output);
    }
  }

  private onUpstreamEnd(end: UpstreamEnd): void {
    this.connection = null;
    if (this.ended) return;
    this.flushBatch(); // what this connection sent goes in before the engine sees the break
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
