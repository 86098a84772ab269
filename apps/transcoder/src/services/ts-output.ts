import type { PipelineOutput } from '../repositories/engine.repository.js';
import type { StreamPublisherRepository } from '../repositories/stream-publisher.repository.js';
import type { SessionOutput, SessionOutputEvents } from './session-output.js';
import { chunksForViewers, type ViewerChunk } from './ts-chunks.js';

/** The first GOP waits at most this long for the first viewer's gateway to subscribe. */
const FIRST_GOP_HOLD_MS = 2_000;
/** At most this much output is held back (one GOP of a 30 Mb/s service is far less). */
const MAX_HELD_BYTES = 8 * 1024 * 1024;

/**
 * TS delivery: the engine's continuous TS cut into chunks on `stream.data.<sessionId>`, key chunks (PAT, PMT,
 * keyframe) flagged. A new session holds its first GOP until the first viewer's gateway has subscribed, so that
 * viewer starts at the first keyframe instead of the second.
 */
export class TsOutput implements SessionOutput {
  readonly engineOptions = { output: 'ts' as const };
  bytesOut = 0;
  private live = false;
  private held = true;
  private heldChunks: ViewerChunk[] = [];
  private heldBytes = 0;
  private releaseTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sessionId: string,
    private readonly publisher: StreamPublisherRepository,
    private readonly events: SessionOutputEvents,
  ) {}

  write(output: PipelineOutput): void {
    if (output.kind !== 'ts' || !output.data) return;
    for (const chunk of chunksForViewers(output.data)) {
      if (this.held) this.hold(chunk);
      else this.send(chunk);
    }
    if (!this.live) {
      this.live = true;
      this.events.onLive();
      this.releaseTimer = setTimeout(() => this.release(), FIRST_GOP_HOLD_MS);
    }
  }

  /**
   * Sends what was held back for the first viewer: called when its gateway reports it (it has subscribed by then),
   * or after `FIRST_GOP_HOLD_MS` at the latest.
   */
  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    for (const chunk of this.heldChunks.splice(0)) this.send(chunk);
  }

  end(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.heldChunks = [];
    this.publisher.end(this.sessionId);
  }

  private hold(chunk: ViewerChunk): void {
    if (chunk.key) {
      this.heldChunks = [];
      this.heldBytes = 0;
    }
    if (this.heldBytes + chunk.bytes.length > MAX_HELD_BYTES) {
      this.release();
      this.send(chunk);
      return;
    }
    this.heldChunks.push(chunk);
    this.heldBytes += chunk.bytes.length;
  }

  private send(chunk: ViewerChunk): void {
    this.publisher.publish(this.sessionId, chunk.bytes, chunk.key);
    this.bytesOut += chunk.bytes.length;
  }
}
