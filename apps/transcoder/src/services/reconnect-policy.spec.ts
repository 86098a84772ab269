import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './reconnect-policy.js';

describe('reconnectDelay', () => {
  it('grows from about 250 ms to at most 4 s, jittered', () => {
    expect(reconnectDelay(1, 0, 30_000, 0)).toBe(125);
    expect(reconnectDelay(1, 0, 30_000, 0.999)).toBeLessThanOrEqual(250);
    expect(reconnectDelay(3, 0, 30_000, 0.999)).toBeLessThanOrEqual(1000);
    expect(reconnectDelay(20, 0, 30_000, 0.999)).toBeLessThanOrEqual(4000);
  });

  it('gives up when the wait would spend the retry budget', () => {
    expect(reconnectDelay(5, 29_900, 30_000, 0.5)).toBeNull();
    expect(reconnectDelay(1, 0, 0, 0)).toBeNull();
  });
});
