import { crc32 } from './crc32.js';

/** HDHomeRun discovery over UDP 65001 (libhdhomerun `hdhomerun_pkt.h`; reference/hdhomerun.md §3). */
export const PacketType = { DiscoverRequest: 0x0002, DiscoverReply: 0x0003 } as const;

export const Tag = {
  DeviceType: 0x01,
  DeviceId: 0x02,
  TunerCount: 0x10,
  LineupUrl: 0x27,
  BaseUrl: 0x2a,
  DeviceAuthStr: 0x2b,
  MultiType: 0x2d,
} as const;

export const DEVICE_TYPE_TUNER = 0x00000001;
export const WILDCARD = 0xffffffff;
const MAX_PACKET = 1460;

export interface Frame {
  type: number;
  /** Tag → values in order of appearance. */
  tags: Map<number, Buffer[]>;
}

export type ParseResult = { ok: true; frame: Frame } | { ok: false; reason: string };

/** `u16 type | u16 length | TLV payload | u32 CRC (little-endian)`; type and length big-endian. */
export function parseFrame(packet: Buffer): ParseResult {
  if (packet.length < 8) return { ok: false, reason: 'short packet' };
  if (packet.length > MAX_PACKET) return { ok: false, reason: 'packet too large' };
  const length = packet.readUInt16BE(2);
  if (4 + length + 4 !== packet.length) return { ok: false, reason: 'length mismatch' };
  const crc = packet.readUInt32LE(4 + length);
  if (crc32(packet.subarray(0, 4 + length)) !== crc) return { ok: false, reason: 'bad crc' };
  const tags = new Map<number, Buffer[]>();
  let offset = 4;
  const end = 4 + length;
  while (offset < end) {
    if (offset + 2 > end) return { ok: false, reason: 'truncated tag' };
    const tag = packet[offset] as number;
    let size = packet[offset + 1] as number;
    offset += 2;
    if (size & 0x80) {
      if (offset >= end) return { ok: false, reason: 'truncated length' };
      size = (size & 0x7f) | ((packet[offset] as number) << 7);
      offset += 1;
    }
    if (offset + size > end) return { ok: false, reason: 'truncated value' };
    const values = tags.get(tag) ?? [];
    values.push(packet.subarray(offset, offset + size));
    tags.set(tag, values);
    offset += size;
  }
  return { ok: true, frame: { type: packet.readUInt16BE(0), tags } };
}

/**
 * A discover request is for us when it asks for tuners (or any type) and names no device, the wildcard, or our id.
 * A request without a type tag is answered too (older clients).
 */
export function isDiscoverRequestFor(frame: Frame, deviceId: number): boolean {
  if (frame.type !== PacketType.DiscoverRequest) return false;
  const types = [
    ...(frame.tags.get(Tag.DeviceType) ?? [])
      .filter((value) => value.length === 4)
      .map((v) => v.readUInt32BE(0)),
    ...(frame.tags.get(Tag.MultiType) ?? []).flatMap((value) => u32List(value)),
  ];
  const typeMatches =
    types.length === 0 || types.some((type) => type === DEVICE_TYPE_TUNER || type === WILDCARD);
  const ids = (frame.tags.get(Tag.DeviceId) ?? []).filter((value) => value.length === 4);
  const idMatches = ids.every((value) => {
    const id = value.readUInt32BE(0);
    return id === WILDCARD || id === deviceId;
  });
  return typeMatches && idMatches;
}

export interface DiscoverReply {
  deviceId: number;
  tunerCount: number;
  baseUrl: string;
  lineupUrl: string;
  deviceAuth?: string;
}

export function buildDiscoverReply(reply: DiscoverReply): Buffer {
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(value >>> 0);
    return buffer;
  };
  const tlvs = [
    tlv(Tag.DeviceType, u32(DEVICE_TYPE_TUNER)),
    tlv(Tag.DeviceId, u32(reply.deviceId)),
    tlv(Tag.TunerCount, Buffer.from([Math.max(1, Math.min(255, reply.tunerCount))])),
    tlv(Tag.BaseUrl, Buffer.from(reply.baseUrl, 'utf8')),
    tlv(Tag.LineupUrl, Buffer.from(reply.lineupUrl, 'utf8')),
    ...(reply.deviceAuth ? [tlv(Tag.DeviceAuthStr, Buffer.from(reply.deviceAuth, 'utf8'))] : []),
  ];
  return frame(PacketType.DiscoverReply, Buffer.concat(tlvs));
}

export function frame(type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(payload.length, 2);
  const body = Buffer.concat([head, payload]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body));
  return Buffer.concat([body, crc]);
}

export function tlv(tag: number, value: Buffer): Buffer {
  if (value.length > 0x3fff) throw new RangeError('TLV value too long');
  const length =
    value.length <= 127
      ? Buffer.from([value.length])
      : Buffer.from([0x80 | (value.length & 0x7f), value.length >> 7]);
  return Buffer.concat([Buffer.from([tag]), length, value]);
}

function u32List(value: Buffer): number[] {
  const out: number[] = [];
  for (let offset = 0; offset + 4 <= value.length; offset += 4) out.push(value.readUInt32BE(offset));
  return out;
}
