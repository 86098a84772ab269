import { describe, expect, it } from 'vitest';
import { ViewerTally } from './viewer-tally.js';

describe('ViewerTally', () => {
  it('sums the viewers every gateway reports and drops a gateway that went quiet', () => {
    const tally = new ViewerTally(5_000, 0);
    tally.report('gw-a', 12, 0);
    tally.report('gw-b', 8, 1_000);
    expect(tally.total(2_000)).toBe(20);
    expect(tally.total(5_500)).toBe(8);
    expect(tally.total(6_100)).toBe(0);
  });

  it('counts idle time from the last moment anyone watched', () => {
    const tally = new ViewerTally(5_000, 0);
    expect(tally.idleFor(3_000)).toBe(3_000);
    tally.report('gw-a', 1, 3_000);
    expect(tally.idleFor(4_000)).toBe(0);
    tally.report('gw-a', 0, 4_500);
    expect(tally.idleFor(14_500)).toBe(10_000);
  });
});
