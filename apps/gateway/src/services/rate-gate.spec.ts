import { describe, expect, it } from 'vitest';
import { RateGate } from './rate-gate.js';

describe('RateGate', () => {
  it('allows a burst, then the refill rate', () => {
    const gate = new RateGate(3, 2, 0);
    expect([0, 0, 0, 0].map(() => gate.tryTake(0))).toEqual([true, true, true, false]);
    expect(gate.tryTake(499)).toBe(false);
    expect(gate.tryTake(500)).toBe(true);
  });
});
