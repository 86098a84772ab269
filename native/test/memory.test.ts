// Memory per pipeline stays in the tens of MB: one 20 s HD pipeline (720p50 H.264 9 Mb/s, AC-3 5.1 + MP2,
// both transcoded) in a fresh Node process, V8 collecting the output buffers at its own pace.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

import { fixturePath, prepareFixtures } from './support/fixtures.js';

beforeAll(() => prepareFixtures('t1_720p50_ac3_mp2'));

const script = fileURLToPath(new URL('./support/pipeline-memory.mjs', import.meta.url));
/** The bound for one pipeline's growth of the process's peak RSS: queues, codec state, open segment, garbage. */
const LIMIT_MIB = 96;

it.each(['ts', 'hls'])('one HD %s pipeline adds less than 96 MiB to peak RSS', (output) => {
  const report = JSON.parse(
    execFileSync(process.execPath, [script, fixturePath('t1_720p50_ac3_mp2'), output], { encoding: 'utf8' }),
  ) as { before: number; peak: number; bytesOut: number };
  const growth = report.peak - report.before;
  console.log(`memory: one HD ${output} pipeline: peak RSS +${growth.toFixed(1)} MiB`);
  expect(report.bytesOut).toBeGreaterThan(10 * 2 ** 20);
  expect(growth).toBeLessThan(LIMIT_MIB);
});
