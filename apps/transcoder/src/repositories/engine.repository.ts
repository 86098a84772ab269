import { Injectable } from '@nestjs/common';
import type { EncoderProbeRecord } from '@e2gate/contracts';
import {
  LivePipeline,
  probeEncoders,
  remuxToMp4,
  version,
  type Mp4Result,
  type LivePipelineOptions,
  type OutputStreamInfo,
  type PipelineOutput,
  type PipelineStats,
} from '@e2gate/native';

export type { LivePipelineOptions, Mp4Result, OutputStreamInfo, PipelineOutput, PipelineStats };

/** One running engine pipeline, as the sessions use it. */
export interface EnginePipeline {
  push(chunk: Buffer): boolean;
  /** The source broke before the next chunk (an upstream reconnect). */
  markDiscontinuity(): void;
  stats(): PipelineStats;
  close(): Promise<PipelineStats>;
  destroy(): void;
}

/** The native media engine: the only place the transcoder loads the addon (DESIGN §5, STYLE rule 1). */
@Injectable()
export class EngineRepository {
  versions(): { engine: string; avcodec: string } {
    const { engine, avcodec } = version();
    return { engine, avcodec };
  }

  /** Which video encoder backends work on this machine, and why the others do not. */
  probeEncoders(device?: string): Promise<EncoderProbeRecord[]> {
    return probeEncoders(device).then((probes) =>
      probes.map(({ encoder, available, reason }) => ({ encoder, available, ...(reason ? { reason } : {}) })),
    );
  }

  createPipeline(
    options: LivePipelineOptions,
    onOutput: (output: PipelineOutput) => void | Promise<unknown>,
  ): EnginePipeline {
    return new LivePipeline(options, onOutput);
  }

  /** A finished TS file (AAC audio, H.264 video) → MP4 with the index first, on a worker thread. */
  remuxToMp4(input: string, output: string): Promise<Mp4Result> {
    return remuxToMp4(input, output);
  }
}
