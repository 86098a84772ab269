import { Injectable } from '@nestjs/common';
import {
  LivePipeline,
  version,
  type LivePipelineOptions,
  type OutputStreamInfo,
  type PipelineOutput,
  type PipelineStats,
} from '@e2gate/native';

export type { LivePipelineOptions, OutputStreamInfo, PipelineOutput, PipelineStats };

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

  createPipeline(
    options: LivePipelineOptions,
    onOutput: (output: PipelineOutput) => void | Promise<unknown>,
  ): EnginePipeline {
    return new LivePipeline(options, onOutput);
  }
}
