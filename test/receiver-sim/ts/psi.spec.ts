import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIMESTAMP_WRAP, readPcrBase, readTimestamp, writePcrBase, writeTimestamp } from './packets.js';
import { buildPatPacket, crc32Mpeg2, parsePat, sectionCrcValid, sectionIn } from './psi.js';

describe('PSI', () => {
  it('computes CRC-32/MPEG-2 (check value of "123456789" is 0x0376E6E7)', () => {
    expect(crc32Mpeg2(Buffer.from('123456789'))).toBe(0x0376e6e7);
  });

  it('builds a PAT that parses back, with a valid CRC', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.uniqueArray(
          fc.record({
            number: fc.integer({ min: 1, max: 0xffff }),
            pid: fc.integer({ min: 0x20, max: 0x1ffe }),
          }),
          {
            selector: (program) => program.number,
            maxLength: 40,
          },
        ),
        (tsid, programs) => {
          const packet = buildPatPacket(tsid, programs);
          expect(packet.length).toBe(188);
          const span = sectionIn(packet, 0)!;
          expect(sectionCrcValid(packet, span)).toBe(true);
          expect(parsePat(packet, span)).toEqual({ transportStreamId: tsid, programs });
        },
      ),
    );
  });
});

describe('timestamps', () => {
  it('round-trips 33-bit PTS/DTS values and keeps the prefix and marker bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: TIMESTAMP_WRAP - 1 }),
        fc.constantFrom(0x20, 0x30, 0x10),
        (value, prefix) => {
          const field = Buffer.from([prefix | 1, 0, 1, 0, 1]);
          writeTimestamp(field, 0, value);
          expect(readTimestamp(field, 0)).toBe(value);
          expect(field[0]! & 0xf1).toBe(prefix | 1);
          expect([field[2]! & 1, field[4]! & 1]).toEqual([1, 1]);
        },
      ),
    );
  });

  it('wraps at 2^33', () => {
    const field = Buffer.from([0x21, 0, 1, 0, 1]);
    writeTimestamp(field, 0, TIMESTAMP_WRAP + 5);
    expect(readTimestamp(field, 0)).toBe(5);
  });

  it('round-trips PCR bases in an adaptation field', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TIMESTAMP_WRAP - 1 }), (base) => {
        const packet = Buffer.alloc(188, 0xff);
        packet.set([0x47, 0x01, 0x00, 0x30, 7, 0x10, 0, 0, 0, 0, 0x7e, 0x2a]);
        writePcrBase(packet, 0, base);
        expect(readPcrBase(packet, 0)).toBe(base);
        expect(packet[10]! & 0x7f).toBe(0x7e);
      }),
    );
  });
});
