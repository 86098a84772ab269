import { describe, expect, it } from 'vitest';
import { parseRange } from './recording-file.js';

describe('parseRange', () => {
  it.each([
    ['bytes=0-', { start: 0, end: 999 }],
    ['bytes=100-199', { start: 100, end: 199 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
  ])('%s of 1,000 bytes → %j', (header, range) => expect(parseRange(header, 1_000)).toEqual(range));

  it.each(['bytes=1000-', 'bytes=500-400', 'bytes=-0'])('%s of 1,000 bytes is unsatisfiable', (header) =>
    expect(parseRange(header, 1_000)).toBe('unsatisfiable'),
  );

  it.each([undefined, '', 'bytes=-', 'items=0-1', 'bytes=0-1,5-6'])(
    '%j is no range (the whole file)',
    (header) => expect(parseRange(header, 1_000)).toBeNull(),
  );
});
