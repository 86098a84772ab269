// remuxToMp4: the engine's TS output → MP4 with the index first, checked with ffprobe as the oracle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { remuxToMp4 } from '../index.js';
import { fixture, prepareFixtures } from './support/fixtures.js';
import { decodeErrors, formatDuration, streams, tempFile } from './support/ffprobe.js';
import { runPipeline, tsBytes } from './support/run.js';

beforeAll(() => prepareFixtures('t1_720p50_ac3_mp2', 'radio_mp2'));

describe('remuxToMp4', () => {
  it('copies H.264 and every AAC track with its language into an MP4 that starts at zero, index first', async () => {
    const engine = await runPipeline(fixture('t1_720p50_ac3_mp2'), { audio: 'aac' });
    const input = tempFile('engine.ts', tsBytes(engine.outputs));
    const output = join(input, '..', 'out.mp4');
    const result = await remuxToMp4(input, output);
    const languages = streams(input)
      .filter((s) => s.codec_type === 'audio')
      .map((s) => s.tags?.language);
    expect(languages).toHaveLength(2);
    expect(result).toMatchObject({ videoStreams: 1, audioStreams: 2, audioLanguages: languages });
    const probed = streams(output);
    expect(probed.map((s) => s.codec_name)).toEqual(['h264', 'aac', 'aac']);
    expect(probed.filter((s) => s.codec_type === 'audio').map((s) => s.tags?.language)).toEqual(languages);
    expect(Math.abs(result.durationSeconds - formatDuration(input))).toBeLessThan(0.1);
    expect(Math.abs(result.durationSeconds - formatDuration(output))).toBeLessThan(0.01);
    const bytes = readFileSync(output);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    expect(decodeErrors(output)).toEqual([]);
  });

  it('writes an audio-only recording (radio) as an audio MP4', async () => {
    const engine = await runPipeline(fixture('radio_mp2'), { audio: 'aac' });
    const input = tempFile('radio.ts', tsBytes(engine.outputs));
    const result = await remuxToMp4(input, join(input, '..', 'radio.mp4'));
    expect(result).toMatchObject({ videoStreams: 0, audioStreams: 1 });
  });

  it('rejects input without media with ERR_NATIVE_INVALID_INPUT and an unwritable output with ERR_NATIVE_IO', async () => {
    const junk = tempFile('junk.ts', Buffer.alloc(188 * 100, 0x47));
    await expect(remuxToMp4(junk, join(junk, '..', 'junk.mp4'))).rejects.toMatchObject({
      code: 'ERR_NATIVE_INVALID_INPUT',
    });
    const missing = join(junk, '..', 'does-not-exist.ts');
    await expect(remuxToMp4(missing, join(junk, '..', 'x.mp4'))).rejects.toMatchObject({
      code: 'ERR_NATIVE_INVALID_INPUT',
    });
    const engine = await runPipeline(fixture('radio_mp2'), { audio: 'aac' });
    const input = tempFile('radio2.ts', tsBytes(engine.outputs));
    await expect(remuxToMp4(input, '/proc/e2gate-cannot-write/out.mp4')).rejects.toMatchObject({
      code: 'ERR_NATIVE_IO',
    });
  });
});
