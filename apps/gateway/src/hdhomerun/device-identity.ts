import { isValidHdhrDeviceId } from '@e2gate/config';

const NIBBLE_TABLE = [0xa, 0x5, 0xf, 0x6, 0x7, 0xc, 0x1, 0xb, 0x9, 0x2, 0x8, 0xd, 0x4, 0x3, 0xe, 0x0];

/**
 * A checksum-valid HDHomeRun DeviceID (reference/hdhomerun.md §3.4) from 7 random nibbles: the 8th makes
 * `T[n0]^n1^T[n2]^n3^T[n4]^n5^T[n6]^n7` zero. Wildcard-like ids (all F) are avoided.
 */
export function deviceIdFromNibbles(nibbles: readonly number[]): string {
  if (nibbles.length !== 7 || nibbles.some((n) => !Number.isInteger(n) || n < 0 || n > 15)) {
    throw new RangeError('need 7 nibbles');
  }
  const n = nibbles as [number, number, number, number, number, number, number];
  const t = (value: number) => NIBBLE_TABLE[value] as number;
  const last = t(n[0]) ^ n[1] ^ t(n[2]) ^ n[3] ^ t(n[4]) ^ n[5] ^ t(n[6]);
  const id = [...n, last]
    .map((value) => value.toString(16))
    .join('')
    .toUpperCase();
  return isValidHdhrDeviceId(id) ? id : deviceIdFromNibbles([1, ...n.slice(1)]);
}

export function randomDeviceId(randomBytes: (size: number) => Buffer): string {
  const bytes = randomBytes(7);
  return deviceIdFromNibbles([...bytes].map((byte) => byte & 0xf));
}

/** Opaque DeviceAuth string, 24 characters like real devices. */
export function randomDeviceAuth(randomBytes: (size: number) => Buffer): string {
  return randomBytes(18).toString('base64url').slice(0, 24);
}
