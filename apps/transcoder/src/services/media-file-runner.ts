import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type TranscoderConfig } from '@e2gate/config';
import type { RecordingJobSpec, RemuxJobSpec } from '@e2gate/contracts';
import { ArtifactStoreRepository } from '../repositories/artifact-store.repository.js';
import {
  EngineRepository,
  type LivePipelineOptions,
  type PipelineOutput,
} from '../repositories/engine.repository.js';
import { ReceiverRepository } from '../repositories/receiver.repository.js';
import { RecordingFileRepository } from '../repositories/recording-file.repository.js';
import { JobRunError, type JobRunContext, type JobRunner, type JobRunOutput } from './job-runner.js';

/** Share of the progress bar the read-and-convert pass takes; the MP4 pass (a copy) takes the rest. */
const CONVERT_SHARE = 0.95;

/**
 * The `recording` and `remux` kinds: a transport stream file read from the receiver (a recording by its path, or any
 * file URL of the box; dropped connections resumed), through the engine (audio → AAC per kept language, video
 * copied or transcoded) into a transport stream in the attempt's directory, then remuxed to MP4 with the index first.
 */
@Injectable()
export class MediaFileRunner implements JobRunner {
  constructor(
    @Inject(APP_CONFIG) private readonly config: TranscoderConfig,
    private readonly files: RecordingFileRepository,
    private readonly receiver: ReceiverRepository,
    private readonly engine: EngineRepository,
    private readonly artifacts: ArtifactStoreRepository,
  ) {}

  async run({ job, signal, workDir, progress }: JobRunContext): Promise<JobRunOutput> {
    const spec = job.spec as RecordingJobSpec | RemuxJobSpec;
    const tsPath = join(workDir, 'engine.ts');
    const mp4Path = join(workDir, 'output.mp4');
    const sink = createWriteStream(tsPath);
    const feed = new EngineFeed(this.engine, this.pipelineOptions(spec), sink);
    try {
      let bytes = 0;
      const onData = async (chunk: Buffer, fileSize: number) => {
        await feed.push(chunk);
        bytes += chunk.length;
        if (fileSize > 0) progress({ fraction: Math.min(CONVERT_SHARE, (CONVERT_SHARE * bytes) / fileSize) });
      };
      if (spec.kind === 'remux' && 'artifactId' in spec.source) {
        await this.artifacts.read(spec.source.artifactId, onData, signal);
      } else {
        await this.files.readUrl(this.sourceOf(spec), this.receiver.credentials, { signal, onData });
      }
      await feed.finish();
    } finally {
      feed.destroy();
    }
    signal.throwIfAborted();
    const mp4 = await this.engine.remuxToMp4(tsPath, mp4Path);
    if (mp4.videoStreams === 0 && mp4.audioStreams === 0) {
      throw new JobRunError('input_error', 'JOB_NO_MEDIA', 'the recording holds no audio or video');
    }
    return {
      file: {
        path: mp4Path,
        fileName: `${fileNameOf(spec.kind === 'recording' ? spec.recording.title : spec.title)}.mp4`,
        contentType: 'video/mp4',
        durationSeconds: Math.round(mp4.durationSeconds * 1000) / 1000,
      },
    };
  }

  /**
   * Where the file is read: a recording through the web port's `/file`; a remux source only on the receiver this
   * node is configured for (any of its ports), so a job cannot make the transcoder fetch from elsewhere.
   */
  private sourceOf(spec: RecordingJobSpec | RemuxJobSpec): URL {
    const receiver = new URL(this.config.receiver.url);
    if (spec.kind === 'recording') {
      return new URL(`/file?file=${encodeURIComponent(spec.recording.file)}`, receiver);
    }
    const source = new URL((spec.source as { url: string }).url);
    if (source.hostname !== receiver.hostname || !/^https?:$/.test(source.protocol)) {
      throw new JobRunError(
        'input_error',
        'JOB_SOURCE_NOT_RECEIVER',
        `${source.protocol}//${source.host} is not the receiver (${receiver.host}); remux reads only its files`,
      );
    }
    return source;
  }

  private pipelineOptions(spec: RecordingJobSpec | RemuxJobSpec): LivePipelineOptions {
    const transcode = this.config.transcode;
    const video =
      spec.output.video === 'copy'
        ? undefined
        : {
            mode: spec.output.video === 'h264' ? ('transcode' as const) : ('auto' as const),
            height: transcode.height,
            preset: transcode.preset,
            encoder: transcode.encoder,
            ...(transcode.device ? { device: transcode.device } : {}),
          };
    return {
      output: 'ts',
      audio: 'aac',
      ...(spec.output.languages.length > 0 ? { languages: spec.output.languages } : {}),
      ...(video ? { video } : {}),
    };
  }
}

/** The engine fed from a file read: input held back while the engine's queue is full, output written to a file. */
class EngineFeed {
  private readonly pipeline;
  private drained: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(
    engine: EngineRepository,
    options: LivePipelineOptions,
    private readonly sink: WriteStream,
  ) {
    this.pipeline = engine.createPipeline(options, (output) => this.onOutput(output));
  }

  async push(chunk: Buffer): Promise<void> {
    while (!this.pipeline.push(chunk)) {
      this.throwIfFailed();
      await new Promise<void>((resolve) => (this.drained = resolve));
    }
    this.throwIfFailed();
  }

  async finish(): Promise<void> {
    const stats = await this.pipeline.close();
    this.throwIfFailed();
    if (stats.state === 'failed')
      throw new JobRunError('runtime_error', 'ERR_NATIVE_FAILED', 'the engine failed');
    this.sink.end();
    await once(this.sink, 'close');
  }

  destroy(): void {
    this.pipeline.destroy();
    this.sink.destroy();
  }

  private onOutput(output: PipelineOutput): void | Promise<unknown> {
    switch (output.kind) {
      case 'drain':
        this.drained?.();
        this.drained = null;
        return;
      case 'error':
        this.failure = new JobRunError(
          output.code === 'ERR_NATIVE_NO_PROGRAM' ? 'input_error' : 'runtime_error',
          output.code ?? 'ERR_NATIVE_FAILED',
          `engine: ${output.message ?? 'failed'}`,
        );
        this.drained?.();
        return;
      case 'ts':
        if (output.data && !this.sink.write(output.data)) return once(this.sink, 'drain');
        return;
      default:
        return;
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/** A title as a file name: path separators, control and reserved characters out; at most 120 characters. */
export function fileNameOf(title: string): string {
  const cleaned = title
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120)
    .replace(/^[.\s]+|[.\s]+$/g, '');
  return cleaned.length > 0 ? cleaned : 'recording';
}
