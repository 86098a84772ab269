import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@e2gate/contracts';
import { RecordingFileRepository } from '../../../apps/transcoder/src/repositories/recording-file.repository.js';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';

// The transcoder reading a recording from the simulator's `/file` endpoint: whole, resumed with `Range` after the
// box resets the connection again and again, with the consumer holding reading back, and failing with codes.

let sim: ReceiverSim;
let file: string;
let whole: Buffer;
const files = new RecordingFileRepository();

beforeAll(async () => {
  sim = await startReceiverSim({ bouquets: 1, channels: 6, epgDays: 1 });
  const movies = (await (await fetch(`${sim.url}/api/movielist`)).json()) as {
    movies: { filename: string }[];
  };
  file = movies.movies[0]!.filename;
  whole = Buffer.from(await (await fetch(`${sim.url}/file?file=${encodeURIComponent(file)}`)).arrayBuffer());
}, 120_000);
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  await sim.resetFaults();
});

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function readAll(options: { retryBudgetMs?: number; slow?: boolean } = {}) {
  const chunks: Buffer[] = [];
  const result = await files.read(sim.url, file, null, {
    signal: AbortSignal.timeout(60_000),
    retryBudgetMs: options.retryBudgetMs ?? 10_000,
    random: () => 0,
    onData: async (chunk) => {
      chunks.push(Buffer.from(chunk));
      if (options.slow) await new Promise((resolve) => setTimeout(resolve, 1));
    },
  });
  return { data: Buffer.concat(chunks), ...result };
}

describe('RecordingFileRepository', () => {
  it('reads a recording whole, in one connection', async () => {
    expect(whole.length).toBeGreaterThan(1_000_000);
    expect(whole[0]).toBe(0x47);
    const { data, bytes, resumes } = await readAll();
    expect(bytes).toBe(whole.length);
    expect(resumes).toBe(0);
    expect(sha(data)).toBe(sha(whole));
  });

  it('resumes with Range after every dropped connection and delivers each byte once, in order', async () => {
    const dropAfter = Math.ceil(whole.length / 6);
    await sim.setFaults({ fileDropAfterBytes: dropAfter });
    const { data, resumes } = await readAll({ slow: true });
    expect(resumes).toBeGreaterThanOrEqual(Math.ceil(whole.length / dropAfter) - 1);
    expect(sha(data)).toBe(sha(whole));
  });

  it('fails with a code: an unknown recording, and a box that keeps failing past the budget', async () => {
    await expect(
      files.read(sim.url, '/media/hdd/movie/none.ts', null, {
        signal: AbortSignal.timeout(10_000),
        onData: () => undefined,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.ReceiverNotFound });
    await sim.setFaults({ errorRate: 1 });
    const started = Date.now();
    await expect(readAll({ retryBudgetMs: 1_500 })).rejects.toMatchObject({
      code: ErrorCode.ReceiverUnreachable,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    let received = 0;
    const read = files.read(sim.url, file, null, {
      signal: controller.signal,
      onData: async (chunk) => {
        received += chunk.length;
        if (received > 100_000) controller.abort(new Error('cancelled'));
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    });
    await expect(read).rejects.toThrow('cancelled');
    expect(received).toBeLessThan(whole.length);
  });
});
