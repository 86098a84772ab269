// close() flushes the tail and resolves only after every output was delivered; destroy() stops at once.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';

import { LivePipeline, type PipelineOutput } from '../index.js';
import { fixture, prepareFixtures } from './support/fixtures.js';
import { runPipeline, segments } from './support/run.js';

beforeAll(() => prepareFixtures('radio_mp2', 't4_720p_eac3'));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('close', () => {
  it('settles even when nothing references the pipeline any more', async () => {
    const input = fixture('t4_720p_eac3');
    let outputs = 0;
    const closeUnreferenced = () => {
      const pipeline = new LivePipeline({ output: 'hls' }, () => {
        outputs += 1;
      });
      pipeline.push(input);
      return pipeline.close();
    };
    const closing = closeUnreferenced();
    for (let i = 0; i < 20; i++) {
      gc(); // the pipeline object is collectable now; its finalizer must not stop the closing thread
      await nextTurn();
    }
    const stats = await closing;
    expect(stats.state).toBe('closed');
    expect(stats.segments).toBeGreaterThan(0);
    expect(outputs).toBe(stats.segments + 2); // 'streams', the segments, 'end'
  });

  it('delivers the last segment and then a single end, before the promise resolves', async () => {
    const input = fixture('t4_720p_eac3');
    const outputs: PipelineOutput[] = [];
    const pipeline = new LivePipeline({ output: 'hls', segmentDuration: 6 }, (o) => {
      outputs.push(o);
    });
    for (let offset = 0; offset < input.length; offset += 188 * 100) {
      while (!pipeline.push(input.subarray(offset, offset + 188 * 100)))
        await new Promise((r) => setImmediate(r));
    }
    const before = segments(outputs).length;
    const stats = await pipeline.close();
    const kinds = outputs.map((o) => o.kind);
    expect(kinds.at(-1)).toBe('end');
    expect(kinds.filter((k) => k === 'end')).toHaveLength(1);
    const list = segments(outputs);
    expect(list.length).toBeGreaterThan(before);
    expect(stats.segments).toBe(list.length);
    expect(outputs.at(-1)!.stats).toEqual(stats);
    const covered = list.reduce((sum, s) => sum + s.duration!, 0);
    expect(Math.abs(covered - 20)).toBeLessThan(0.05);
    await new Promise((r) => setImmediate(r));
    expect(outputs.at(-1)!.kind).toBe('end');
  });

  it('flushes the audio encoders: the output audio covers the input audio', async () => {
    const { outputs, stats } = await runPipeline(fixture('radio_mp2'));
    expect(stats.audioFramesIn).toBe(Math.round((10 * 48_000) / 1152));
    // 10 s of MP2 in, AAC out including the priming frame and the encoder's flushed tail.
    expect(stats.audioFramesOut).toBeGreaterThanOrEqual(Math.ceil((stats.audioFramesIn * 1152) / 1024) + 1);
    expect(outputs.at(-1)!.kind).toBe('end');
  });

  it('waits for the promises the callback returned', async () => {
    const input = fixture('radio_mp2');
    let unsettled = 0;
    const pipeline = new LivePipeline({ output: 'hls', segmentDuration: 1 }, (o) => {
      if (o.kind !== 'segment') return undefined;
      unsettled += 1;
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          unsettled -= 1;
          resolve();
        }, 5),
      );
    });
    pipeline.push(input);
    const stats = await pipeline.close();
    expect(stats.segments).toBeGreaterThan(5);
    expect(unsettled).toBe(0);
  });

  it('resolves pending close() with the counters so far when destroyed, without an end', async () => {
    const outputs: string[] = [];
    const pipeline = new LivePipeline({}, (o) => {
      outputs.push(o.kind);
      return new Promise(() => undefined); // never settles: the pipeline can never finish on its own
    });
    pipeline.push(fixture('t4_720p_eac3'));
    const closing = pipeline.close();
    pipeline.destroy();
    const stats = await closing;
    expect(stats.state).toBe('closed');
    expect(outputs).not.toContain('end');
  });
});
