import { describe, expect, it, vi } from 'vitest';
import type { NowNextDto } from '../dto/catalog-responses.dto.js';
import { NowNextCache, validUntil } from './now-next-cache.js';

const answer = (items: NowNextDto['items']): NowNextDto => ({
  version: 'v',
  at: 1000,
  total: items.length,
  offset: 0,
  limit: 10,
  items,
});
const brief = (start: number, stop: number) => ({ id: start, start, stop, title: 't' });

describe('NowNextCache', () => {
  it('is valid until the first programme of the answer ends, at most maxAge', () => {
    expect(
      validUntil(
        answer([
          { channelId: 'a', now: brief(900, 1200) },
          { channelId: 'b', next: brief(1010, 1100) },
        ]),
        1000,
        30,
      ),
    ).toBe(1010);
    expect(validUntil(answer([{ channelId: 'a', now: brief(900, 5000) }]), 1000, 30)).toBe(1030);
    expect(validUntil(answer([]), 1000, 30)).toBe(1030);
  });

  it('shares a load, serves hits until expiry, then loads again', async () => {
    const cache = new NowNextCache(10, 30);
    const load = vi.fn(async () => answer([{ channelId: 'a', now: brief(900, 1020) }]));
    await Promise.all([cache.get('k', 1000, load), cache.get('k', 1000, load)]);
    await cache.get('k', 1019, load);
    expect(load).toHaveBeenCalledTimes(1);
    await cache.get('k', 1020, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps an answer as its JSON bytes, serialised once and shared by every hit', async () => {
    const cache = new NowNextCache(10, 30);
    const value = answer([{ channelId: 'a', now: brief(900, 1200), next: brief(1200, 1300) }]);
    const first = await cache.get('k', 1000, async () => value);
    const second = await cache.get('k', 1001, async () => answer([]));
    expect(second).toBe(first);
    expect(JSON.parse(first.bytes.toString('utf8'))).toEqual(value);
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it('forgets failures and stays bounded', async () => {
    const cache = new NowNextCache(2, 30);
    await expect(cache.get('x', 0, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const load = vi.fn(async () => answer([]));
    await cache.get('x', 0, load);
    await cache.get('y', 0, load);
    await cache.get('z', 0, load);
    await cache.get('x', 0, load);
    expect(load).toHaveBeenCalledTimes(4);
  });
});
