import { describe, expect, it } from 'vitest';
import { acceptsGzip, matchesIfNoneMatch } from './conditional.js';

describe('acceptsGzip', () => {
  it.each([
    [undefined, false],
    ['gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['gzip;q=0', false],
    ['br, *', true],
    ['identity', false],
  ])('%j → %s', (header, expected) => expect(acceptsGzip(header)).toBe(expected));
});

describe('matchesIfNoneMatch', () => {
  const tags = ['"abc"', '"abc-gz"'];
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc-gz"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abcd"', false],
  ])('%j → %s', (header, expected) => expect(matchesIfNoneMatch(header, tags)).toBe(expected));
});
