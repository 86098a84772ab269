import type { HlsIndex, HlsRendition, HlsSegmentEntry } from '@e2gate/contracts';

/** A segment as the engine reports it, with what its renditions took to store. */
export interface FinishedSegment {
  sequence: number;
  /** Seconds. */
  duration: number;
  discontinuity: boolean;
  /** Bytes per rendition id. */
  bytes: Map<string, number>;
}

export interface HlsIndexLimits {
  /** The timeshift window: segments older than this leave the index (their objects expire in the store). */
  windowMs: number;
  /** The segment duration the engine aims at, seconds. */
  segmentSeconds: number;
  /** The engine cuts the first segment after a start or break at one GOP (see the engine's `fastStart`). */
  fastStart: boolean;
}

/**
 * The segment index of one HLS session (pure): renditions (a stream change appends, ids keep their meaning), the
 * timeshift window of segments with program date-times, the discontinuity sequence, and a target duration fixed at
 * the first segment — long enough for the target plus the source's GOP, never raised afterwards.
 */
export class HlsIndexBuilder {
  private readonly renditions: HlsRendition[] = [];
  private readonly segments: HlsSegmentEntry[] = [];
  private targetDuration = 0;
  private discontinuitySequence = 0;
  private nextPdt: number | null = null;

  constructor(
    private readonly sessionId: string,
    private readonly channelId: string,
    private readonly limits: HlsIndexLimits,
  ) {}

  /** The renditions now produced; returns their ids in the given order. */
  useRenditions(current: readonly HlsRendition[]): string[] {
    for (const rendition of current) {
      const known = this.renditions.findIndex((r) => r.id === rendition.id);
      if (known === -1) this.renditions.push(rendition);
      else this.renditions[known] = rendition;
    }
    return current.map((r) => r.id);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Adds a finished segment; `receivedAtMs` is the wall clock when it was complete. */
  add(segment: FinishedSegment, receivedAtMs: number): HlsSegmentEntry {
    if (this.targetDuration === 0) {
      // Segments end at the first keyframe after their scheduled cut, so they reach the target plus one GOP.
      // The first segment measures the GOP: with fast start it is one GOP (at least a quarter target) long;
      // without, it is the target plus what the GOP added.
      const gop = this.limits.fastStart
        ? Math.min(segment.duration, this.limits.segmentSeconds)
        : Math.max(segment.duration - this.limits.segmentSeconds, 0);
      this.targetDuration = Math.ceil(this.limits.segmentSeconds + gop + 0.25);
    }
    const durationMs = Math.round(segment.duration * 1000);
    // Program date-time: the receive clock at the start and after a break, media time in between.
    const pdt = this.nextPdt === null || segment.discontinuity ? receivedAtMs - durationMs : this.nextPdt;
    this.nextPdt = pdt + durationMs;
    const entry: HlsSegmentEntry = {
      seq: segment.sequence,
      dur: durationMs / 1000,
      pdt,
      ...(segment.discontinuity && this.segments.length > 0 ? { disc: true as const } : {}),
      bytes: this.renditions.map((r) => segment.bytes.get(r.id) ?? 0),
    };
    this.segments.push(entry);
    this.trim();
    return entry;
  }

  snapshot(): HlsIndex {
    return {
      sessionId: this.sessionId,
      channelId: this.channelId,
      targetDuration: this.targetDuration,
      renditions: [...this.renditions],
      segments: this.segments.map((s) => ({ ...s, bytes: padded(s.bytes, this.renditions.length) })),
      discontinuitySequence: this.discontinuitySequence,
    };
  }

  /** Drops the oldest segments while the rest still cover the window. */
  private trim(): void {
    const newest = this.segments.at(-1);
    if (!newest) return;
    const end = newest.pdt + newest.dur * 1000;
    while (
      this.segments.length > 1 &&
      end - (this.segments[1] as HlsSegmentEntry).pdt >= this.limits.windowMs
    ) {
      if (this.segments.shift()?.disc) this.discontinuitySequence++;
    }
  }
}

function padded(bytes: number[], length: number): number[] {
  return bytes.length >= length ? bytes : [...bytes, ...new Array<number>(length - bytes.length).fill(0)];
}
