/** PSI sections (ISO/IEC 13818-1 §2.4.4): CRC-32/MPEG-2, PAT building, PMT parsing and program_number patching. */
import { PAT_PID, SYNC_BYTE, TS_PACKET_SIZE, payloadOffset, payloadUnitStart } from './packets.js';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32/MPEG-2 (poly 0x04C11DB7, init all ones, no reflection, no final xor). */
export function crc32Mpeg2(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

export interface SectionSpan {
  /** Absolute offset of table_id. */
  start: number;
  /** Absolute offset one past the CRC. */
  end: number;
}

/** The section starting in a PUSI packet, when it fits in this packet. */
export function sectionIn(buf: Uint8Array, at: number): SectionSpan | null {
  if (!payloadUnitStart(buf, at)) return null;
  const offset = payloadOffset(buf, at);
  if (offset === null) return null;
  const start = at + offset + 1 + buf[at + offset]!;
  if (start + 3 > at + TS_PACKET_SIZE) return null;
  const length = ((buf[start + 1]! & 0x0f) << 8) | buf[start + 2]!;
  const end = start + 3 + length;
  return end <= at + TS_PACKET_SIZE && length >= 9 ? { start, end } : null;
}

export function sectionCrcValid(buf: Uint8Array, span: SectionSpan): boolean {
  return crc32Mpeg2(buf, span.start, span.end) === 0;
}

function writeCrc(buf: Uint8Array, span: SectionSpan): void {
  const crc = crc32Mpeg2(buf, span.start, span.end - 4);
  buf[span.end - 4] = crc >>> 24;
  buf[span.end - 3] = (crc >>> 16) & 0xff;
  buf[span.end - 2] = (crc >>> 8) & 0xff;
  buf[span.end - 1] = crc & 0xff;
}

export interface PatProgram {
  number: number;
  pid: number;
}

/** Up to this many programs fit one PAT packet (4 bytes each). */
export const MAX_PAT_PROGRAMS = 42;

/** A complete PAT packet (CC 0) listing the programs; version 0, current. */
export function buildPatPacket(transportStreamId: number, programs: readonly PatProgram[]): Buffer {
  const list = programs.slice(0, MAX_PAT_PROGRAMS);
  const packet = Buffer.alloc(TS_PACKET_SIZE, 0xff);
  packet[0] = SYNC_BYTE;
  packet[1] = 0x40 | ((PAT_PID >> 8) & 0x1f);
  packet[2] = PAT_PID & 0xff;
  packet[3] = 0x10;
  packet[4] = 0; // pointer_field
  const start = 5;
  const sectionLength = 5 + list.length * 4 + 4;
  packet[start] = 0x00; // table_id
  packet[start + 1] = 0xb0 | ((sectionLength >> 8) & 0x0f);
  packet[start + 2] = sectionLength & 0xff;
  packet.writeUInt16BE(transportStreamId & 0xffff, start + 3);
  packet[start + 5] = 0xc1; // reserved, version 0, current_next_indicator
  packet[start + 6] = 0; // section_number
  packet[start + 7] = 0; // last_section_number
  list.forEach((program, i) => {
    packet.writeUInt16BE(program.number & 0xffff, start + 8 + i * 4);
    packet.writeUInt16BE(0xe000 | (program.pid & 0x1fff), start + 10 + i * 4);
  });
  writeCrc(packet, { start, end: start + 3 + sectionLength });
  return packet;
}

/** The programs of a PAT section. */
export function parsePat(
  buf: Uint8Array,
  span: SectionSpan,
): { transportStreamId: number; programs: PatProgram[] } {
  const programs: PatProgram[] = [];
  for (let o = span.start + 8; o + 4 <= span.end - 4; o += 4) {
    programs.push({ number: (buf[o]! << 8) | buf[o + 1]!, pid: ((buf[o + 2]! & 0x1f) << 8) | buf[o + 3]! });
  }
  return { transportStreamId: (buf[span.start + 3]! << 8) | buf[span.start + 4]!, programs };
}

export interface PmtStream {
  streamType: number;
  pid: number;
  /** Descriptor tags in the ES info loop. */
  descriptorTags: number[];
  /** ISO 639 language code, when present. */
  language: string | null;
}

export interface Pmt {
  programNumber: number;
  pcrPid: number;
  streams: PmtStream[];
}

export function parsePmt(buf: Uint8Array, span: SectionSpan): Pmt {
  const programNumber = (buf[span.start + 3]! << 8) | buf[span.start + 4]!;
  const pcrPid = ((buf[span.start + 8]! & 0x1f) << 8) | buf[span.start + 9]!;
  const programInfoLength = ((buf[span.start + 10]! & 0x0f) << 8) | buf[span.start + 11]!;
  const streams: PmtStream[] = [];
  let o = span.start + 12 + programInfoLength;
  while (o + 5 <= span.end - 4) {
    const streamType = buf[o]!;
    const pid = ((buf[o + 1]! & 0x1f) << 8) | buf[o + 2]!;
    const infoLength = ((buf[o + 3]! & 0x0f) << 8) | buf[o + 4]!;
    const descriptorTags: number[] = [];
    let language: string | null = null;
    for (let d = o + 5; d + 2 <= o + 5 + infoLength; d += 2 + buf[d + 1]!) {
      descriptorTags.push(buf[d]!);
      if (buf[d] === 0x0a && buf[d + 1]! >= 3)
        language = Buffer.from(buf.subarray(d + 2, d + 5)).toString('latin1');
    }
    streams.push({ streamType, pid, descriptorTags, language });
    o += 5 + infoLength;
  }
  return { programNumber, pcrPid, streams };
}

/** Rewrites the PMT's program_number in place and recomputes the CRC. */
export function patchPmtProgramNumber(buf: Uint8Array, span: SectionSpan, programNumber: number): void {
  buf[span.start + 3] = (programNumber >> 8) & 0xff;
  buf[span.start + 4] = programNumber & 0xff;
  writeCrc(buf, span);
}

const VIDEO_TYPES = new Set([0x01, 0x02, 0x10, 0x1b, 0x24]);
const AUDIO_TYPES = new Set([0x03, 0x04, 0x0f, 0x11, 0x81, 0x87]);
const AUDIO_DESCRIPTORS = new Set([0x6a, 0x7a, 0x7c]);

export function isVideo(stream: PmtStream): boolean {
  return VIDEO_TYPES.has(stream.streamType);
}

export function isAudio(stream: PmtStream): boolean {
  return (
    AUDIO_TYPES.has(stream.streamType) ||
    (stream.streamType === 0x06 && stream.descriptorTags.some((tag) => AUDIO_DESCRIPTORS.has(tag)))
  );
}
