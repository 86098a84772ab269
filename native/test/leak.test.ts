// Thousands of pipelines created, fed and closed: threads, external memory and RSS stay flat.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, expect, it } from 'vitest';

import { LivePipeline } from '../index.js';
import { fixture, prepareFixtures } from './support/fixtures.js';

beforeAll(() => prepareFixtures('t4_720p_eac3'));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PIPELINES = 2000;
const WARM_UP = 300;

function threads(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

it(`creates and closes ${PIPELINES} pipelines without leaking`, { timeout: 600_000 }, async () => {
  // ~0.3 s of an HD service with E-AC-3: every pipeline demuxes, decodes, encodes and segments.
  const input = fixture('t4_720p_eac3').subarray(0, 188 * 1000);
  const samples: Array<{ rss: number; external: number; threads: number }> = [];
  let baselineThreads = 0;
  for (let i = 1; i <= PIPELINES; i++) {
    let outputs = 0;
    const pipeline = new LivePipeline({ output: 'hls', segmentDuration: 1 }, () => {
      outputs += 1;
    });
    pipeline.push(input);
    const stats = await pipeline.close();
    expect(stats.state).toBe('closed');
    expect(outputs).toBeGreaterThan(1);
    if (i === WARM_UP) baselineThreads = threads();
    if (i >= WARM_UP && i % 50 === 0) {
      gc();
      const usage = process.memoryUsage();
      samples.push({ rss: usage.rss / 2 ** 20, external: usage.external / 2 ** 20, threads: threads() });
    }
  }
  const window = Math.floor(samples.length / 3);
  const early = samples.slice(0, window);
  const late = samples.slice(-window);
  console.log(
    `leak: RSS ${mean(early.map((s) => s.rss)).toFixed(0)} → ${mean(late.map((s) => s.rss)).toFixed(0)} MiB, ` +
      `external ${mean(early.map((s) => s.external)).toFixed(1)} → ${mean(late.map((s) => s.external)).toFixed(1)} MiB`,
  );
  // Pipeline threads end with their pipeline: the count returns to where it was after the warm-up.
  expect(Math.max(...late.map((s) => s.threads))).toBeLessThanOrEqual(baselineThreads + 1);
  expect(mean(late.map((s) => s.external)) - mean(early.map((s) => s.external))).toBeLessThan(8);
  expect(mean(late.map((s) => s.rss)) - mean(early.map((s) => s.rss))).toBeLessThan(48);
});
