import { PassThrough } from 'node:stream';

export interface HubLimits {
  /** A viewer with this much unsent is cut off: it never slows the session or the others. */
  maxBufferedBytes: number;
  /** The current GOP is kept for viewers who join; a GOP larger than this is not kept. */
  maxGopBytes: number;
}

export interface HubEvents {
  /** The number of viewers changed (join, leave, cut-off): the transcoder is told. */
  onViewers(count: number): void;
  /** A viewer was cut off for reading too slowly. */
  onSlowViewer(): void;
  /** A viewer got its first bytes (PAT, PMT, keyframe) this many ms after it joined. */
  onFirstBytes(ms: number): void;
  /** Bytes written to viewers. */
  onBytes(count: number): void;
}

interface Viewer {
  body: PassThrough;
  joinedAt: number;
  started: boolean;
}

/**
 * One live session's chunks on this gateway, fanned out to its viewers: one NATS subscription however many watch.
 * A viewer's first bytes are the start of a GOP (PAT, PMT, keyframe): the hub keeps the current GOP, so a viewer
 * who joins a running session starts at once instead of waiting for the next keyframe. Each viewer has its own
 * bounded buffer and is cut off when it falls behind.
 */
export class SessionHub {
  private readonly viewers = new Set<Viewer>();
  private gop: Uint8Array[] = [];
  private gopBytes = 0;
  private ended = false;

  constructor(
    private readonly limits: HubLimits,
    private readonly events: HubEvents,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.viewers.size;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** A new viewer: its body starts with the current GOP when there is one, else with the next keyframe. */
  join(): PassThrough {
    const viewer: Viewer = {
      body: new PassThrough({ highWaterMark: 1024 * 1024 }),
      joinedAt: this.now(),
      started: false,
    };
    this.viewers.add(viewer);
    viewer.body.on('close', () => this.leave(viewer));
    if (this.gop.length > 0) {
      this.start(viewer);
      for (const chunk of this.gop) this.write(viewer, chunk);
    }
    this.events.onViewers(this.viewers.size);
    return viewer.body;
  }

  /** A chunk of the session; `key` when a viewer can start with it. */
  chunk(bytes: Uint8Array, key: boolean): void {
    if (this.ended) return;
    this.remember(bytes, key);
    for (const viewer of [...this.viewers]) {
      if (!viewer.started) {
        if (!key) continue;
        this.start(viewer);
      }
      this.write(viewer, bytes);
    }
  }

  /** The session is over (its end marker, the gateway shutting down, no data for too long). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.gop = [];
    for (const viewer of [...this.viewers]) viewer.body.end();
  }

  private remember(bytes: Uint8Array, key: boolean): void {
    if (key) {
      this.gop = [];
      this.gopBytes = 0;
    } else if (this.gop.length === 0) {
      return; // no GOP start seen yet
    }
    this.gopBytes += bytes.length;
    if (this.gopBytes > this.limits.maxGopBytes) {
      this.gop = [];
      return;
    }
    this.gop.push(bytes);
  }

  private start(viewer: Viewer): void {
    viewer.started = true;
    this.events.onFirstBytes(this.now() - viewer.joinedAt);
  }

  private write(viewer: Viewer, bytes: Uint8Array): void {
    if (viewer.body.destroyed) return;
    viewer.body.write(bytes);
    this.events.onBytes(bytes.length);
    if (viewer.body.writableLength > this.limits.maxBufferedBytes) {
      this.events.onSlowViewer();
      viewer.body.destroy();
    }
  }

  private leave(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    this.events.onViewers(this.viewers.size);
  }
}
