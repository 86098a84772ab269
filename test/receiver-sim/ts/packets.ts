/**
 * MPEG-TS packet accessors (ISO/IEC 13818-1 §2.4.3): header fields, adaptation-field PCR and PES PTS/DTS,
 * read and written in place on a buffer at a packet offset.
 */

export const TS_PACKET_SIZE = 188;
export const SYNC_BYTE = 0x47;
export const NULL_PID = 0x1fff;
export const PAT_PID = 0x0000;
/** 2^33: PTS/DTS and PCR base wrap here. */
export const TIMESTAMP_WRAP = 8_589_934_592;

export function pidOf(buf: Uint8Array, at: number): number {
  return ((buf[at + 1]! & 0x1f) << 8) | buf[at + 2]!;
}

export function payloadUnitStart(buf: Uint8Array, at: number): boolean {
  return (buf[at + 1]! & 0x40) !== 0;
}

export function hasPayload(buf: Uint8Array, at: number): boolean {
  return (buf[at + 3]! & 0x10) !== 0;
}

export function hasAdaptationField(buf: Uint8Array, at: number): boolean {
  return (buf[at + 3]! & 0x20) !== 0;
}

export function continuityCounter(buf: Uint8Array, at: number): number {
  return buf[at + 3]! & 0x0f;
}

export function setContinuityCounter(buf: Uint8Array, at: number, cc: number): void {
  buf[at + 3] = (buf[at + 3]! & 0xf0) | (cc & 0x0f);
}

export function scramblingControl(buf: Uint8Array, at: number): number {
  return (buf[at + 3]! >> 6) & 0x03;
}

/** Sets transport_scrambling_control ('10' = scrambled with the even key). */
export function setScramblingControl(buf: Uint8Array, at: number, value: number): void {
  buf[at + 3] = (buf[at + 3]! & 0x3f) | ((value & 0x03) << 6);
}

/** Offset of the payload inside the packet (relative to `at`), or null when there is none or it is malformed. */
export function payloadOffset(buf: Uint8Array, at: number): number | null {
  if (!hasPayload(buf, at)) return null;
  const offset = hasAdaptationField(buf, at) ? 5 + buf[at + 4]! : 4;
  return offset < TS_PACKET_SIZE ? offset : null;
}

function pcrOffset(buf: Uint8Array, at: number): number | null {
  if (!hasAdaptationField(buf, at)) return null;
  const length = buf[at + 4]!;
  if (length < 7 || (buf[at + 5]! & 0x10) === 0) return null;
  return at + 6;
}

/** program_clock_reference_base (90 kHz, 33 bit), or null. */
export function readPcrBase(buf: Uint8Array, at: number): number | null {
  const o = pcrOffset(buf, at);
  if (o === null) return null;
  return (
    buf[o]! * 33_554_432 + buf[o + 1]! * 131_072 + buf[o + 2]! * 512 + buf[o + 3]! * 2 + (buf[o + 4]! >> 7)
  );
}

/** The full PCR in 27 MHz units, or null. */
export function readPcr27(buf: Uint8Array, at: number): number | null {
  const base = readPcrBase(buf, at);
  if (base === null) return null;
  const o = at + 6;
  const extension = ((buf[o + 4]! & 0x01) << 8) | buf[o + 5]!;
  return base * 300 + extension;
}

export function writePcrBase(buf: Uint8Array, at: number, base: number): void {
  const o = pcrOffset(buf, at);
  if (o === null) return;
  const value = ((base % TIMESTAMP_WRAP) + TIMESTAMP_WRAP) % TIMESTAMP_WRAP;
  buf[o] = Math.floor(value / 33_554_432) & 0xff;
  buf[o + 1] = Math.floor(value / 131_072) & 0xff;
  buf[o + 2] = Math.floor(value / 512) & 0xff;
  buf[o + 3] = Math.floor(value / 2) & 0xff;
  buf[o + 4] = ((value % 2) << 7) | (buf[o + 4]! & 0x7f);
}

/** A 33-bit PTS/DTS field (5 bytes with marker bits). */
export function readTimestamp(buf: Uint8Array, o: number): number {
  const high = (buf[o]! >> 1) & 0x07;
  const mid = (buf[o + 1]! << 7) | (buf[o + 2]! >> 1);
  const low = (buf[o + 3]! << 7) | (buf[o + 4]! >> 1);
  return high * 1_073_741_824 + mid * 32_768 + low;
}

/** Writes a 33-bit timestamp, keeping the 4-bit prefix of the first byte and setting the marker bits. */
export function writeTimestamp(buf: Uint8Array, o: number, value: number): void {
  const v = ((value % TIMESTAMP_WRAP) + TIMESTAMP_WRAP) % TIMESTAMP_WRAP;
  const high = Math.floor(v / 1_073_741_824);
  const rest = v % 1_073_741_824;
  const mid = rest >>> 15;
  const low = rest & 0x7fff;
  buf[o] = (buf[o]! & 0xf0) | (high << 1) | 1;
  buf[o + 1] = mid >>> 7;
  buf[o + 2] = ((mid & 0x7f) << 1) | 1;
  buf[o + 3] = low >>> 7;
  buf[o + 4] = ((low & 0x7f) << 1) | 1;
}

/** Stream ids whose PES packets carry the optional header with PTS/DTS (§2.4.3.7). */
function hasPesHeader(streamId: number): boolean {
  return (
    streamId !== 0xbc &&
    streamId !== 0xbe &&
    streamId !== 0xbf &&
    streamId !== 0xf0 &&
    streamId !== 0xf1 &&
    streamId !== 0xff &&
    streamId !== 0xf2 &&
    streamId !== 0xf8
  );
}

export interface PesTimestamps {
  /** Absolute buffer offsets of the PTS and DTS fields (null when absent). */
  ptsAt: number | null;
  dtsAt: number | null;
}

/** Locates PTS/DTS of a PES packet starting in this TS packet. */
export function pesTimestamps(buf: Uint8Array, at: number): PesTimestamps | null {
  if (!payloadUnitStart(buf, at)) return null;
  const offset = payloadOffset(buf, at);
  if (offset === null || offset + 14 > TS_PACKET_SIZE) return null;
  const p = at + offset;
  if (buf[p] !== 0 || buf[p + 1] !== 0 || buf[p + 2] !== 1 || !hasPesHeader(buf[p + 3]!)) return null;
  const flags = buf[p + 7]! >> 6;
  const ptsAt = flags & 0x2 ? p + 9 : null;
  const dtsAt = flags === 0x3 && offset + 19 <= TS_PACKET_SIZE ? p + 14 : null;
  return { ptsAt, dtsAt };
}

/** Index of the first sync byte from which `count` packets in a row start with 0x47, or -1. */
export function findSync(buf: Uint8Array, count = 3): number {
  for (let i = 0; i < Math.min(buf.length, TS_PACKET_SIZE); i++) {
    let ok = true;
    for (let k = 0; k < count && ok; k++) {
      const at = i + k * TS_PACKET_SIZE;
      ok = at < buf.length && buf[at] === SYNC_BYTE;
    }
    if (ok) return i;
  }
  return -1;
}
