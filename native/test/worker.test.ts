// The addon loads in worker threads (one napi environment each), works there, and survives a worker
// being terminated while its pipeline runs.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';

import { fixture, prepareFixtures } from './support/fixtures.js';
import { runPipeline, segments } from './support/run.js';

beforeAll(() => prepareFixtures('radio_mp2', 't4_720p_eac3'));

const script = new URL('./support/pipeline-worker.mjs', import.meta.url);

interface WorkerResult {
  segments: Array<{ sequence: number; duration: number; size: number }>;
  stats: { state: string; segments: number };
}

function start(input: Buffer, stall = false): Worker {
  return new Worker(script, { workerData: { input, stall } });
}

describe('worker threads', () => {
  it('runs a pipeline in a worker with the same result as on the main thread', async () => {
    const input = fixture('t4_720p_eac3');
    const worker = start(input);
    const exited = once(worker, 'exit');
    const [result] = (await once(worker, 'message')) as [WorkerResult];
    const main = segments((await runPipeline(input, { output: 'hls' })).outputs);
    expect(result.stats.state).toBe('closed');
    expect(result.segments).toEqual(
      main.map((s) => ({ sequence: s.sequence, duration: s.duration, size: s.data!.length })),
    );
    expect(await exited).toEqual([0]);
  });

  it('survives terminating a worker mid-stream, and loads again in the next one', async () => {
    const input = fixture('t4_720p_eac3');
    const stalled = start(input, true);
    const [message] = (await once(stalled, 'message')) as [{ started: boolean }];
    expect(message.started).toBe(true);
    const [code] = (await Promise.all([once(stalled, 'exit'), stalled.terminate()]))[0] as [number];
    expect(code).toBe(1);

    const next = start(fixture('radio_mp2'));
    const [result] = (await once(next, 'message')) as [WorkerResult];
    expect(result.stats.state).toBe('closed');
    expect(result.segments.length).toBeGreaterThan(3);
  });
});
