import type { HlsRendition } from '@e2gate/contracts';
import type { OutputStreamInfo, PipelineOutput } from '../repositories/engine.repository.js';
import type { HlsStoreRepository } from '../repositories/hls-store.repository.js';
import { HlsIndexBuilder, type HlsIndexLimits } from './hls-index.js';
import type { SessionOutput, SessionOutputEvents } from './session-output.js';

/**
 * HLS delivery: the engine cuts segments at keyframes with every stream as its own rendition (video; each audio
 * track as AAC stereo; the original AC-3/E-AC-3 beside it). Each segment's parts go to the Object Store, then the
 * index (the timeshift window) to the KV, then the segment event — in that order, so a gateway never lists a part
 * that is not stored yet. The engine waits while a segment is being stored (back-pressure).
 */
export class HlsOutput implements SessionOutput {
  readonly engineOptions;
  bytesOut = 0;
  private readonly index: HlsIndexBuilder;
  /** Rendition ids in the order of the engine's current `streams` (and of each segment's parts). */
  private current: string[] = [];
  private live = false;
  private ended = false;

  constructor(
    private readonly sessionId: string,
    channelId: string,
    limits: HlsIndexLimits,
    private readonly store: HlsStoreRepository,
    private readonly events: SessionOutputEvents,
    private readonly nowMs: () => number,
  ) {
    this.engineOptions = {
      output: 'hls' as const,
      segmentDuration: limits.segmentSeconds,
      hlsRenditions: true,
      fastStart: limits.fastStart,
      // The broadcast AC-3/E-AC-3 beside its AAC: Safari plays it (5.1); browsers without it skip that variant.
      keepOriginalAudio: true,
    };
    this.index = new HlsIndexBuilder(sessionId, channelId, limits);
  }

  write(output: PipelineOutput): void | Promise<unknown> {
    if (output.kind === 'streams') {
      this.current = this.index.useRenditions(renditionsOf(output.streams ?? []));
      return;
    }
    if (output.kind === 'segment') return this.storeSegment(output);
  }

  /** Nothing is held back for a first viewer: a player starts from the playlist. */
  release(): void {}

  end(): void {
    this.ended = true;
    void this.store.removeIndex(this.sessionId).catch(() => undefined);
  }

  /** The index as it stands (the heartbeat rewrites it so it outlives quiet spells in the KV's TTL). */
  async refreshIndex(): Promise<void> {
    if (this.ended || this.index.segmentCount === 0) return;
    await this.store.putIndex(this.index.snapshot());
  }

  private async storeSegment(output: PipelineOutput): Promise<void> {
    const parts = output.parts ?? [];
    const sequence = output.sequence ?? 0;
    const bytes = new Map<string, number>();
    try {
      await Promise.all(
        parts.map(async (part, position) => {
          const rendition = this.current[position];
          if (!rendition || part.length === 0) return;
          await this.store.putPart(this.sessionId, rendition, sequence, part);
          bytes.set(rendition, part.length);
          this.bytesOut += part.length;
        }),
      );
      if (this.ended) return;
      this.index.add(
        { sequence, duration: output.duration ?? 0, discontinuity: output.discontinuity ?? false, bytes },
        this.nowMs(),
      );
      await this.store.putIndex(this.index.snapshot());
      await this.store.announce(this.sessionId, sequence);
    } catch (error) {
      if (!this.ended) this.events.onFailed(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!this.live) {
      this.live = true;
      this.events.onLive();
    }
  }
}

const VIDEO_CODECS = new Set(['h264', 'hevc', 'mpeg2video']);

/** The engine's output streams as renditions: `v` for the video, `a0`, `a1`, … for audio in the engine's order. */
export function renditionsOf(streams: readonly OutputStreamInfo[]): HlsRendition[] {
  let audio = 0;
  let video = 0;
  return streams.map((stream) => {
    if (VIDEO_CODECS.has(stream.codec)) {
      const n = video++;
      return {
        id: n === 0 ? 'v' : `v${n}`,
        type: 'video' as const,
        codecs: stream.codecs ?? stream.codec,
        ...(stream.width === undefined ? {} : { width: stream.width }),
        ...(stream.height === undefined ? {} : { height: stream.height }),
        ...(stream.frameRate === undefined ? {} : { frameRate: stream.frameRate }),
      };
    }
    return {
      id: `a${audio++}`,
      type: 'audio' as const,
      codecs: stream.codecs ?? stream.codec,
      ...(stream.language ? { language: stream.language } : {}),
      ...(stream.channels === undefined ? {} : { channels: stream.channels }),
      audioType: stream.audioType,
      ...(stream.codec === 'ac3' || stream.codec === 'eac3' ? { original: true } : {}),
    };
  });
}
