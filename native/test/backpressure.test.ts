// Bounded memory end to end: a consumer that stops reading makes push refuse input instead of growing.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';

import { LivePipeline, type PipelineOutput } from '../index.js';
import { fixture, prepareFixtures } from './support/fixtures.js';

beforeAll(() => prepareFixtures('t1_720p50_ac3_mp2', 't4_720p_eac3'));

const CHUNK = 64 * 1024;
const MAX_INPUT = 1024 * 1024;

describe('back-pressure', () => {
  it('refuses input while the consumer holds its outputs, and drains when it lets go', async () => {
    const input = fixture('t1_720p50_ac3_mp2');
    const held: Array<() => void> = [];
    let drained: () => void = () => undefined;
    const drain = new Promise<void>((resolve) => (drained = resolve));
    let allHeld: () => void = () => undefined;
    const consumerFull = new Promise<void>((resolve) => (allHeld = resolve));
    let tsBytes = 0;
    let full = false;
    const pipeline = new LivePipeline(
      { maxPendingOutputs: 4, maxQueuedInputBytes: MAX_INPUT },
      (output: PipelineOutput) => {
        if (output.kind === 'drain') {
          // Until the consumer is full, keep the input coming: while input is queued the thread gathers
          // continuous TS into fewer, larger outputs, so one queue's worth may not make four of them.
          if (full) drained();
          else setImmediate(fill);
        }
        if (output.kind !== 'ts') return undefined;
        tsBytes += output.data!.length;
        const busy = new Promise<void>((resolve) => held.push(resolve)); // the consumer is "busy" until released
        if (held.length === 4) {
          full = true;
          allHeld();
        }
        return busy;
      },
    );

    let offset = 0;
    let accepted = 0;
    function fill(): boolean {
      while (offset < input.length) {
        const chunk = input.subarray(offset, offset + CHUNK);
        if (!pipeline.push(chunk)) return false;
        accepted += chunk.length;
        offset += CHUNK;
      }
      return true;
    }
    fill();
    await consumerFull; // four outputs handed out and none finished: the pipeline thread has to stop
    // It may still gather up to 1 MiB of continuous TS from queued input before it needs a fifth output, so
    // keep offering input until 50 turns in a row take none.
    let refusedTurns = 0;
    while (refusedTurns < 50) {
      await nextTurn();
      const before = offset;
      expect(fill()).toBe(false);
      refusedTurns = offset === before ? refusedTurns + 1 : 0;
    }
    const stuck = pipeline.stats();
    expect(stuck.pendingOutputs).toBe(4);
    expect(held).toHaveLength(4);
    expect(stuck.queuedInputBytes).toBeLessThanOrEqual(MAX_INPUT);
    // Everything accepted is either processed, queued, or the one chunk the thread is holding.
    expect(accepted - stuck.bytesIn - stuck.queuedInputBytes).toBeLessThanOrEqual(CHUNK);

    const release = () => held.splice(0).forEach((resolve) => resolve());
    const releasing = setInterval(release, 1);
    await drain;
    while (offset < input.length) {
      const chunk = input.subarray(offset, offset + CHUNK);
      if (pipeline.push(chunk)) offset += CHUNK;
      else await nextTurn();
    }
    const stats = await pipeline.close();
    clearInterval(releasing);
    expect(stats.bytesIn).toBe(input.length);
    expect(tsBytes).toBe(stats.bytesOut);
  });

  it('refuses input when the JS thread never yields, so callbacks cannot run', () => {
    const input = fixture('t4_720p_eac3');
    let delivered = 0;
    const pipeline = new LivePipeline({ maxPendingOutputs: 2, maxQueuedInputBytes: MAX_INPUT }, () => {
      delivered += 1;
    });
    let offset = 0;
    while (offset < input.length && pipeline.push(input.subarray(offset, offset + CHUNK))) offset += CHUNK;
    expect(offset).toBeLessThan(input.length);
    expect(offset).toBeLessThanOrEqual(input.length);
    expect(delivered).toBe(0);
    expect(pipeline.stats().queuedInputBytes).toBeLessThanOrEqual(MAX_INPUT);
    pipeline.destroy();
  });

  it('copies what it is pushed: a source may reuse one buffer for every read', async () => {
    const input = fixture('t1_720p50_ac3_mp2');
    const run = async (reuse: boolean): Promise<Buffer> => {
      const ts: Buffer[] = [];
      const pipeline = new LivePipeline({ output: 'ts', audio: 'aac' }, (output) => {
        if (output.kind === 'ts' && output.data) ts.push(Buffer.from(output.data));
      });
      const scratch = Buffer.alloc(CHUNK);
      for (let offset = 0; offset < input.length; offset += CHUNK) {
        const piece = input.subarray(offset, offset + CHUNK);
        const chunk = reuse ? scratch.subarray(0, piece.copy(scratch)) : piece;
        while (!pipeline.push(chunk)) await nextTurn();
        if (reuse) scratch.fill(0x47); // overwritten at once, as a socket's read buffer is
      }
      await pipeline.close();
      return Buffer.concat(ts);
    };
    const fresh = await run(false);
    expect(fresh.length).toBeGreaterThan(input.length / 2);
    expect((await run(true)).equals(fresh)).toBe(true);
  });
});
