// Drives a LivePipeline the way the transcoder service will: chunks pushed as they come, a refused push
// waits for the 'drain' output, close() at the end.
import {
  LivePipeline,
  type LivePipelineOptions,
  type PipelineOutput,
  type PipelineStats,
} from '../../index.js';

export interface RunResult {
  outputs: PipelineOutput[];
  stats: PipelineStats;
  refusedPushes: number;
}

export async function runPipeline(
  input: Buffer,
  options: LivePipelineOptions = {},
  chunkSize = 64 * 1024,
): Promise<RunResult> {
  const outputs: PipelineOutput[] = [];
  let wakeUp: (() => void) | undefined;
  const pipeline = new LivePipeline(options, (output) => {
    outputs.push(output);
    if (output.kind === 'drain') wakeUp?.();
  });
  let refusedPushes = 0;
  for (let offset = 0; offset < input.length; offset += chunkSize) {
    const chunk = input.subarray(offset, offset + chunkSize);
    while (!pipeline.push(chunk)) {
      refusedPushes += 1;
      await new Promise<void>((resolve) => (wakeUp = resolve));
    }
  }
  const stats = await pipeline.close();
  return { outputs, stats, refusedPushes };
}

export function tsBytes(outputs: PipelineOutput[]): Buffer {
  return Buffer.concat(outputs.filter((o) => o.kind === 'ts').map((o) => o.data!));
}

export function segments(outputs: PipelineOutput[]): PipelineOutput[] {
  return outputs.filter((o) => o.kind === 'segment');
}
