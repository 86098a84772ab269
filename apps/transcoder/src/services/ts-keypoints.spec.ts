import { describe, expect, it } from 'vitest';
import { keyPoints } from './ts-keypoints.js';

/** One 188-byte packet: PID, payload_unit_start, optional adaptation field with random_access_indicator. */
function packet(pid: number, options: { start?: boolean; pes?: boolean; rai?: boolean } = {}): Buffer {
  const bytes = Buffer.alloc(188, 0xff);
  bytes[0] = 0x47;
  bytes[1] = (options.start ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  bytes[2] = pid & 0xff;
  let payload = 4;
  if (options.rai !== undefined) {
    bytes[3] = 0x30;
    bytes[4] = 1;
    bytes[5] = options.rai ? 0x40 : 0;
    payload = 6;
  } else bytes[3] = 0x10;
  if (options.pes) bytes.set([0, 0, 1, 0xe0], payload);
  else if (options.start) bytes.set([0, 2], payload); // pointer_field, table_id (a section, not a PES)
  return bytes;
}

const pat = () => packet(0, { start: true });
const pmt = () => packet(0x1000, { start: true });
const keyframe = () => packet(0x100, { start: true, pes: true, rai: true });
const frame = () => packet(0x100, { start: true, pes: true, rai: false });
const more = () => packet(0x100);

describe('keyPoints', () => {
  it('finds the PAT before each keyframe, not the periodic tables before other frames', () => {
    const chunk = Buffer.concat([
      more(),
      pat(),
      pmt(),
      keyframe(),
      more(),
      pat(),
      pmt(),
      frame(),
      more(),
      pat(),
      pmt(),
      keyframe(),
    ]);
    expect(keyPoints(chunk)).toEqual([188, 9 * 188]);
  });

  it('needs the PAT: a keyframe without tables in front is no place to start', () => {
    expect(keyPoints(Buffer.concat([keyframe(), more()]))).toEqual([]);
  });

  it('stops at a lost sync byte and ignores a trailing partial packet', () => {
    const broken = Buffer.concat([pat(), pmt(), keyframe(), Buffer.from([0x00]), pat(), pmt(), keyframe()]);
    expect(keyPoints(broken)).toEqual([0]);
    expect(keyPoints(Buffer.concat([pat(), pmt(), keyframe().subarray(0, 100)]))).toEqual([]);
  });
});
