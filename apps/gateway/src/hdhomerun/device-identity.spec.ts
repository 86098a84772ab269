import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidHdhrDeviceId } from '@e2gate/config';
import { deviceIdFromNibbles, randomDeviceAuth, randomDeviceId } from './device-identity.js';

describe('HDHomeRun DeviceID', () => {
  it('reproduces the reference examples', () => {
    expect(deviceIdFromNibbles([1, 0xa, 2, 0xb, 3, 0xc, 4])).toBe('1A2B3C46');
    expect(deviceIdFromNibbles([1, 2, 3, 4, 5, 6, 7])).toBe('12345674');
  });

  it('always yields a checksum-valid id that is not the wildcard', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 7, maxLength: 7 }), (nibbles) => {
        expect(isValidHdhrDeviceId(deviceIdFromNibbles(nibbles))).toBe(true);
      }),
    );
  });

  it('draws ids and 24-character auth strings from the random source', () => {
    const bytes = (size: number) => Buffer.alloc(size, 0xff);
    expect(isValidHdhrDeviceId(randomDeviceId(bytes))).toBe(true);
    expect(randomDeviceAuth((size) => Buffer.alloc(size, 7))).toHaveLength(24);
  });
});
