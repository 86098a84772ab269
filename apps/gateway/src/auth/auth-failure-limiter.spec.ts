import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

describe('AuthFailureLimiter', () => {
  it('blocks a client after `limit` failures in the window, for the window', () => {
    const limiter = new AuthFailureLimiter({ limit: 3, windowMs: 60_000 });
    expect([1, 2, 3].map((i) => limiter.recordFailure('10.0.0.1', i))).toEqual([0, 0, 0]);
    expect(limiter.recordFailure('10.0.0.1', 4)).toBe(60);
    expect(limiter.retryAfter('10.0.0.1', 30_004)).toBe(30);
    expect(limiter.retryAfter('10.0.0.2', 5)).toBe(0);
    expect(limiter.retryAfter('10.0.0.1', 60_004)).toBe(0);
  });

  it('starts a new window once the old one has passed', () => {
    const limiter = new AuthFailureLimiter({ limit: 2, windowMs: 1000 });
    limiter.recordFailure('a', 0);
    limiter.recordFailure('a', 1);
    expect(limiter.recordFailure('a', 1001)).toBe(0);
  });

  it('tracks a bounded number of clients', () => {
    const limiter = new AuthFailureLimiter({ limit: 1, windowMs: 1000, maxClients: 100 });
    for (let i = 0; i < 1000; i++) limiter.recordFailure(`client-${i}`, i);
    expect(limiter.tracked).toBe(100);
  });
});
