import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from './payload-depth.js';

/** `levels` arrays inside each other, as JSON off the wire. */
const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('nestsDeeperThan', () => {
  it('counts objects and arrays as levels, scalars as none', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 'c' }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 'c' }] }, 2)).toBe(true);
  });

  it(`accepts ${MAX_PAYLOAD_DEPTH} levels by default and refuses one more`, () => {
    expect(nestsDeeperThan(nested(MAX_PAYLOAD_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nested(MAX_PAYLOAD_DEPTH + 1))).toBe(true);
  });

  it('finds a deep path beside shallow ones, and measures 100,000 levels without overflowing', () => {
    expect(nestsDeeperThan({ a: 1, b: [2, 3], c: { d: nested(40) } })).toBe(true);
    expect(nestsDeeperThan(nested(100_000))).toBe(true);
  });
});
