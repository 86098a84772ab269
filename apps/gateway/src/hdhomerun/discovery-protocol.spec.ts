import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import {
  buildDiscoverReply,
  frame,
  isDiscoverRequestFor,
  parseFrame,
  tlv,
  Tag,
} from './discovery-protocol.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const JELLYFIN_REQUEST = hex('00 02 00 0c 01 04 ff ff ff ff 02 04 ff ff ff ff 73 cc 7d 8f');
const LIBHDHOMERUN_REQUEST = hex('00 02 00 06 01 04 00 00 00 01 39 30 77 e7');
const OURS = 0x1a2b3c46;

describe('crc32', () => {
  it('is zlib CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('parseFrame / isDiscoverRequestFor', () => {
  it('accepts the wildcard request Jellyfin broadcasts', () => {
    const parsed = parseFrame(JELLYFIN_REQUEST);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(isDiscoverRequestFor(parsed.frame, OURS)).toBe(true);
  });

  it("accepts libhdhomerun's typed request (tuner, no id)", () => {
    const parsed = parseFrame(LIBHDHOMERUN_REQUEST);
    expect(parsed.ok && isDiscoverRequestFor(parsed.frame, OURS)).toBe(true);
  });

  it('ignores requests for another device id or another device type', () => {
    const otherId = frame(0x0002, Buffer.concat([tlv(Tag.DeviceId, hex('12345674'))]));
    const storage = frame(0x0002, tlv(Tag.DeviceType, hex('00000005')));
    const ourId = frame(0x0002, tlv(Tag.DeviceId, hex('1a2b3c46')));
    const multi = frame(0x0002, tlv(Tag.MultiType, hex('00000005 00000001')));
    const check = (packet: Buffer) => {
      const parsed = parseFrame(packet);
      return parsed.ok && isDiscoverRequestFor(parsed.frame, OURS);
    };
    expect([check(otherId), check(storage), check(ourId), check(multi)]).toEqual([false, false, true, true]);
  });

  it.each([
    ['a bad CRC', hex('00 02 00 06 01 04 00 00 00 01 39 30 77 e8')],
    ['a short packet', hex('00 02 00')],
    ['a length that does not match', hex('00 02 00 07 01 04 00 00 00 01 39 30 77 e7')],
    ['a truncated TLV', frame(0x0002, hex('01 04 00 00'))],
  ])('rejects %s', (_name, packet) => {
    expect(parseFrame(packet).ok).toBe(false);
  });

  it('is not a discover request when the type is a reply', () => {
    const parsed = parseFrame(frame(0x0003, tlv(Tag.DeviceType, hex('00000001'))));
    expect(parsed.ok && isDiscoverRequestFor(parsed.frame, OURS)).toBe(false);
  });
});

describe('buildDiscoverReply', () => {
  it('matches the worked example of reference/hdhomerun.md §3.5 byte for byte', () => {
    const reply = buildDiscoverReply({
      deviceId: OURS,
      tunerCount: 4,
      baseUrl: 'http://192.168.1.50:80',
      lineupUrl: 'http://192.168.1.50:80/lineup.json',
    });
    expect(reply.length).toBe(83);
    expect(reply.subarray(0, 4)).toEqual(hex('00 03 00 4b'));
    expect(reply.subarray(4, 20)).toEqual(hex('01 04 00 00 00 01 02 04 1a 2b 3c 46 10 01 04 2a'));
    expect(reply.subarray(-4)).toEqual(hex('63 98 51 98'));
  });

  it('round-trips through the parser, long values with two-byte lengths included', () => {
    const baseUrl = `http://tv.example.org/${'x'.repeat(200)}`;
    const reply = buildDiscoverReply({
      deviceId: OURS,
      tunerCount: 2,
      baseUrl,
      lineupUrl: `${baseUrl}/lineup.json`,
    });
    const parsed = parseFrame(reply);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.frame.type).toBe(3);
    expect(parsed.frame.tags.get(Tag.BaseUrl)?.[0]?.toString()).toBe(baseUrl);
    expect(parsed.frame.tags.get(Tag.TunerCount)?.[0]?.[0]).toBe(2);
  });
});
