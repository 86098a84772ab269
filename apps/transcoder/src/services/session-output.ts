import type { LivePipelineOptions, PipelineOutput } from '../repositories/engine.repository.js';

/**
 * Where a live session's engine output goes: TS chunks on `stream.data.*` (`TsOutput`) or HLS segments in the
 * Object Store (`HlsOutput`). The session owns the receiver and the engine; the output owns delivery.
 */
export interface SessionOutput {
  /** The engine options of this delivery (output mode, segmenting). */
  readonly engineOptions: Partial<
    Pick<
      LivePipelineOptions,
      'output' | 'segmentDuration' | 'hlsRenditions' | 'keepOriginalAudio' | 'fastStart'
    >
  >;
  /** Bytes delivered so far. */
  readonly bytesOut: number;
  /**
   * One engine output of kind `ts`, `segment` or `streams`. A returned promise holds the engine back until it
   * settles (back-pressure, bounded by the engine's `maxPendingOutputs`).
   */
  write(output: PipelineOutput): void | Promise<unknown>;
  /** The first viewer is there (its gateway has subscribed): output held back for it can go. */
  release(): void;
  /** The session is over: the end is announced, held output dropped. */
  end(): void;
}

/** What an output tells its session. */
export interface SessionOutputEvents {
  /** The first output reached the viewers' side (TS bytes published, the first HLS segment listed). */
  onLive(): void;
  /** Delivery failed for good (the session ends with this error). */
  onFailed(error: Error): void;
}
