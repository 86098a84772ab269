import { describe, expect, it } from 'vitest';
import { SessionHub } from './session-hub.js';

function hub(limits = { maxBufferedBytes: 1000, maxGopBytes: 100 }) {
  const seen = { viewers: [] as number[], slow: 0, firstBytes: [] as number[], bytes: 0 };
  let now = 0;
  const instance = new SessionHub(
    limits,
    {
      onViewers: (count) => seen.viewers.push(count),
      onSlowViewer: () => seen.slow++,
      onFirstBytes: (ms) => seen.firstBytes.push(ms),
      onBytes: (count) => (seen.bytes += count),
    },
    () => now,
  );
  return { instance, seen, advance: (ms: number) => (now += ms) };
}

const bytes = (text: string) => Buffer.from(text);

function collect(body: NodeJS.ReadableStream): () => string {
  const parts: Buffer[] = [];
  body.on('data', (part: Buffer) => parts.push(part));
  return () => Buffer.concat(parts).toString();
}

describe('SessionHub', () => {
  it('starts a first viewer at the next key chunk, and a later one at once with the current GOP', async () => {
    const { instance, seen, advance } = hub();
    const first = collect(instance.join());
    instance.chunk(bytes('b'), false);
    advance(300);
    instance.chunk(bytes('K1'), true);
    instance.chunk(bytes('p1'), false);
    advance(50);
    const second = collect(instance.join());
    instance.chunk(bytes('p2'), false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(first()).toBe('K1p1p2');
    expect(second()).toBe('K1p1p2');
    expect(seen.firstBytes).toEqual([300, 0]);
    expect(seen.viewers).toEqual([1, 2]);
  });

  it('keeps no GOP larger than its bound: a later viewer then waits for the next key chunk', async () => {
    const { instance } = hub({ maxBufferedBytes: 1000, maxGopBytes: 5 });
    instance.chunk(bytes('K1'), true);
    instance.chunk(bytes('long-frame'), false);
    const late = collect(instance.join());
    instance.chunk(bytes('p'), false);
    instance.chunk(bytes('K2'), true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(late()).toBe('K2');
  });

  it('cuts off a viewer that reads nothing, without touching the others', async () => {
    const { instance, seen } = hub({ maxBufferedBytes: 3 * 1024 * 1024, maxGopBytes: 100 });
    const stalled = instance.join(); // never read
    const reader = collect(instance.join());
    instance.chunk(Buffer.alloc(10, 1), true);
    for (let i = 0; i < 6; i++) instance.chunk(Buffer.alloc(1024 * 1024, 2), false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stalled.destroyed).toBe(true);
    expect(seen.slow).toBe(1);
    expect(reader().length).toBe(10 + 6 * 1024 * 1024);
    expect(instance.size).toBe(1);
    expect(seen.viewers.at(-1)).toBe(1);
  });

  it('ends every viewer when the session ends, and counts a viewer leaving', async () => {
    const { instance, seen } = hub();
    const a = instance.join();
    const b = instance.join();
    b.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.viewers).toEqual([1, 2, 1]);
    const ended = new Promise((resolve) => a.on('end', resolve));
    a.resume();
    instance.end();
    await ended;
    expect(instance.isEnded).toBe(true);
  });
});
