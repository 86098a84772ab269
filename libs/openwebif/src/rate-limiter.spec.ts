import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('allows a burst, then spaces requests at the configured rate', async () => {
    const limiter = new RateLimiter(10, 2, 100, () => Date.now());
    const granted: number[] = [];
    const start = Date.now();
    const takes = Array.from({ length: 6 }, () =>
      limiter.take('x').then(() => granted.push(Date.now() - start)),
    );
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(takes);
    expect(granted.slice(0, 2)).toEqual([0, 0]);
    // After the burst: one token every 100 ms.
    expect(granted.slice(2)).toEqual([100, 200, 300, 400]);
  });

  it('refuses when the queue is full', async () => {
    const limiter = new RateLimiter(1, 1, 1, () => Date.now());
    await limiter.take('x');
    const waiting = limiter.take('x');
    await expect(limiter.take('x')).rejects.toMatchObject({ code: 'RECEIVER_OVERLOADED' });
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
  });
});
