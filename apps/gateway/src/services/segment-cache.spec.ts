import { describe, expect, it, vi } from 'vitest';
import { SegmentCache } from './segment-cache.js';

const bytes = (n: number) => new Uint8Array(n);

describe('SegmentCache', () => {
  it('reads a segment once for concurrent and later callers', async () => {
    const cache = new SegmentCache(1000);
    const load = vi.fn(async () => bytes(100));
    const [a, b] = await Promise.all([cache.get('s/v/1', load), cache.get('s/v/1', load)]);
    expect(await cache.get('s/v/1', load)).toBe(a);
    expect(b).toBe(a);
    expect(load).toHaveBeenCalledOnce();
  });

  it('stays within its bytes, least recently used out first; a missing segment is not cached', async () => {
    const cache = new SegmentCache(250);
    await cache.get('a', async () => bytes(100));
    await cache.get('b', async () => bytes(100));
    await cache.get('a', async () => bytes(1)); // a is now the most recent
    await cache.get('c', async () => bytes(100));
    expect(cache.size).toBe(200);
    const reload = vi.fn(async () => bytes(100));
    await cache.get('b', reload);
    expect(reload).toHaveBeenCalledOnce();
    const missing = vi.fn(async () => null);
    expect(await cache.get('x', missing)).toBeNull();
    expect(await cache.get('x', missing)).toBeNull();
    expect(missing).toHaveBeenCalledTimes(2);
  });

  it('forgets a session', async () => {
    const cache = new SegmentCache(1000);
    await cache.get('s1/v/1', async () => bytes(100));
    await cache.get('s2/v/1', async () => bytes(100));
    cache.forget('s1/');
    expect(cache.size).toBe(100);
  });
});
