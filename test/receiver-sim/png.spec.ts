import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PICON_HEIGHT, PICON_WIDTH, crc32, piconPng } from './png.js';

interface Chunk {
  type: string;
  data: Buffer;
  crcOk: boolean;
}

function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    const crcOk = crc32(png.subarray(at + 4, at + 8 + length)) === png.readUInt32BE(at + 8 + length);
    out.push({ type, data, crcOk });
    at += 12 + length;
  }
  return out;
}

describe('picon PNG', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('is a valid PNG: signature, IHDR, IDAT, IEND with correct CRCs and pixel data', () => {
    const png = piconPng(0x123456);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const list = chunks(png);
    expect(list.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(list.every((chunk) => chunk.crcOk)).toBe(true);
    const header = list[0]!.data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([
      PICON_WIDTH,
      PICON_HEIGHT,
      8,
      2,
    ]);
    const raw = inflateSync(list[1]!.data);
    expect(raw.length).toBe((1 + PICON_WIDTH * 3) * PICON_HEIGHT);
    expect([raw[1], raw[2], raw[3]]).toEqual([0x12, 0x34, 0x56]);
  });

  it('decodes with ffprobe (independent decoder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-png-'));
    try {
      const file = join(dir, 'picon.png');
      writeFileSync(file, piconPng(0xabcdef));
      const out = execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name,width,height',
        '-of',
        'json',
        file,
      ]);
      expect(JSON.parse(out.toString()).streams[0]).toMatchObject({
        codec_name: 'png',
        width: PICON_WIDTH,
        height: PICON_HEIGHT,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
