// Hostile or damaged input never stops the pipeline: each problem becomes a counted warning and the output
// continues, or restarts cleanly with a discontinuity.
import { beforeAll, describe, expect, it } from 'vitest';

import { probeSync } from '../index.js';
import { fixture, fixturePath, prepareFixtures } from './support/fixtures.js';
import { decodeErrors, packets, span, streams, tempFile } from './support/ffprobe.js';
import { runPipeline, segments, tsBytes } from './support/run.js';
import { dropPids, flipBits, fromPacket, losePackets, random, scrambleStart } from './support/ts-edit.js';

beforeAll(() =>
  prepareFixtures(
    'pmt_change_adds_audio',
    'pmt_change_removes_audio',
    'radio_mp2',
    't1_720p50_ac3_mp2',
    't2_1080i_eac3_ad_wrap',
    't4_720p_eac3',
    'two_programs',
    'video_only_h264',
  ),
);

const AAC_FRAME = 1024 / 48_000;

function codecs(file: string): string[] {
  return streams(file).map((s) => s.codec_name);
}

describe('damaged input', () => {
  it('survives random bit flips with counted warnings and a playable output', async () => {
    const input = fixture('t1_720p50_ac3_mp2');
    const { outputs, stats } = await runPipeline(flipBits(input, 3000, 7));
    expect(stats.state).toBe('closed');
    expect(stats.warningsTotal).toBeGreaterThan(0);
    const output = tempFile('flipped.ts', tsBytes(outputs));
    expect(codecs(output)).toEqual(['h264', 'aac', 'aac']);
    const video = span(packets(output, 'v:0'));
    expect(video.end - video.start).toBeGreaterThan(18);
  });

  it('survives lost and truncated packets, counting continuity errors and lost sync', async () => {
    const input = fixture('t4_720p_eac3');
    const { outputs, stats } = await runPipeline(losePackets(input, 997, 1499));
    expect(stats.continuityErrors).toBeGreaterThan(0);
    expect(stats.warnings['continuity_error']).toBe(stats.continuityErrors);
    expect(stats.warnings['sync_lost']).toBeGreaterThan(0);
    const output = tempFile('lossy.ts', tsBytes(outputs));
    expect(codecs(output)).toEqual(['h264', 'aac']);
    const audio = span(packets(output, 'a:0'));
    expect(audio.end - audio.start).toBeGreaterThan(19);
  });

  it('survives pure garbage without output', async () => {
    const next = random(3);
    const garbage = Buffer.from(Array.from({ length: 1 << 20 }, () => Math.floor(next() * 256)));
    const { outputs, stats } = await runPipeline(garbage);
    expect(outputs.map((o) => o.kind)).toEqual(['end']);
    expect(stats.state).toBe('closed');
    expect(stats.warnings['sync_lost']).toBeGreaterThan(0);
  });
});

describe('stream starts', () => {
  it('drops scrambled packets at the start and begins cleanly at a keyframe', async () => {
    const input = scrambleStart(
      fixture('t1_720p50_ac3_mp2'),
      new Map([
        [1920, 400],
        [1921, 20],
        [1922, 20],
      ]),
    );
    const { outputs, stats } = await runPipeline(input);
    expect(stats.warnings['scrambled']).toBeGreaterThanOrEqual(400);
    const output = tempFile('scrambled.ts', tsBytes(outputs));
    expect(decodeErrors(output)).toEqual([]);
    expect(packets(output, 'v:0')[0]!.flags.startsWith('K')).toBe(true);
  });

  it('starts mid-GOP: video waits for the next keyframe and audio is aligned to it', async () => {
    const { outputs, stats } = await runPipeline(fromPacket(fixture('t1_720p50_ac3_mp2'), 3001));
    expect(stats.warnings['skipped_before_keyframe']).toBeGreaterThanOrEqual(1);
    const output = tempFile('midgop.ts', tsBytes(outputs));
    expect(decodeErrors(output)).toEqual([]);
    const video = packets(output, 'v:0');
    expect(video[0]!.flags.startsWith('K')).toBe(true);
    const videoStart = span(video).start;
    for (const selector of ['a:0', 'a:1']) {
      const audioStart = span(packets(output, selector)).start + AAC_FRAME;
      expect(audioStart).toBeGreaterThanOrEqual(videoStart - 0.032);
      expect(audioStart).toBeLessThan(videoStart + 0.1);
    }
  });
});

describe('timeline breaks', () => {
  it('continues across the 33-bit PTS wrap with growing segment times', async () => {
    const { outputs, stats } = await runPipeline(fixture('t2_1080i_eac3_ad_wrap'), { output: 'hls' });
    const list = segments(outputs);
    expect(stats.warnings['timestamp_jump']).toBeUndefined();
    expect(list.some((s) => s.discontinuity)).toBe(false);
    const wrapSeconds = 2 ** 33 / 90_000;
    expect(list[0]!.startTime!).toBeLessThan(wrapSeconds);
    expect(list.at(-1)!.startTime!).toBeGreaterThan(wrapSeconds);
    expect(list.at(-1)!.pts!).toBeLessThan(20 * 90_000);
  });

  it('restarts with a discontinuity when the source restarts (same stream twice)', async () => {
    const once = fixture('t4_720p_eac3');
    const { outputs, stats } = await runPipeline(Buffer.concat([once, once]), { output: 'hls' });
    expect(stats.warnings['timestamp_jump']).toBeGreaterThanOrEqual(1);
    const list = segments(outputs);
    const breaks = list.filter((s) => s.discontinuity);
    expect(breaks).toHaveLength(1);
    const at = list.indexOf(breaks[0]!);
    expect(breaks[0]!.keyframe).toBe(true);
    const before = tempFile('before.ts', Buffer.concat(list.slice(0, at).map((s) => s.data!)));
    const after = tempFile('after.ts', Buffer.concat(list.slice(at).map((s) => s.data!)));
    expect(decodeErrors(before)).toEqual([]);
    expect(decodeErrors(after)).toEqual([]);
    const total = list.reduce((sum, s) => sum + s.duration!, 0);
    expect(Math.abs(total - 40)).toBeLessThan(0.2);
  });

  it('restarts with a discontinuity when seconds of input are missing', async () => {
    const input = fixture('t1_720p50_ac3_mp2');
    const cutFrom = Math.floor((input.length * 0.35) / 188) * 188;
    const cutTo = Math.floor((input.length * 0.65) / 188) * 188;
    const { outputs, stats } = await runPipeline(
      Buffer.concat([input.subarray(0, cutFrom), input.subarray(cutTo)]),
      { output: 'hls' },
    );
    expect(stats.warnings['timestamp_jump']).toBeGreaterThanOrEqual(1);
    expect(segments(outputs).filter((s) => s.discontinuity)).toHaveLength(1);
  });

  it('follows a PMT change that adds an audio track', async () => {
    const { outputs, stats } = await runPipeline(fixture('pmt_change_adds_audio'));
    expect(stats.warnings['program_changed']).toBe(1);
    expect(stats.streams.map((s) => [s.codec, s.language])).toEqual([
      ['h264', undefined],
      ['aac', 'deu'],
      ['aac', 'eng'],
    ]);
    const output = tempFile('pmt.ts', tsBytes(outputs));
    expect(decodeErrors(output)).toEqual([]);
    const audio = streams(output).filter((s) => s.codec_type === 'audio');
    expect(audio.map((s) => s.tags?.language)).toEqual(['deu', 'eng']);
    const english = span(packets(output, 'a:1'));
    expect(english.start).toBeGreaterThan(5);
  });

  it('follows a PMT change that removes an audio track', async () => {
    const { outputs, stats } = await runPipeline(fixture('pmt_change_removes_audio'));
    expect(stats.warnings['program_changed']).toBe(1);
    expect(stats.streams.map((s) => [s.codec, s.language])).toEqual([
      ['h264', undefined],
      ['aac', 'deu'],
    ]);
    const output = tempFile('pmt-removes.ts', tsBytes(outputs));
    expect(decodeErrors(output)).toEqual([]);
    // The German track runs through both parts; the English one ends where the source's does (the change).
    const audio = streams(output).filter((s) => s.codec_type === 'audio');
    expect(audio.map((s) => s.tags?.language)).toEqual(['deu', 'eng']);
    const input = fixturePath('pmt_change_removes_audio');
    const sourceGerman = span(packets(input, 'a:0'));
    const sourceEnglish = span(packets(input, 'a:1'));
    const german = span(packets(output, 'a:0'));
    const english = span(packets(output, 'a:1'));
    const tolerance = 0.032 + 1024 / 48_000; // one AC-3 frame plus one AAC frame
    expect(Math.abs(german.end - sourceGerman.end)).toBeLessThanOrEqual(0.024 + 1024 / 48_000);
    expect(Math.abs(english.end - sourceEnglish.end)).toBeLessThanOrEqual(tolerance);
    expect(german.end - english.end).toBeGreaterThan(3);
  });

  it('follows a PMT change that removes the video (a switch to a radio service)', async () => {
    const { outputs, stats } = await runPipeline(
      Buffer.concat([fixture('video_only_h264'), fixture('radio_mp2')]),
    );
    expect(stats.warnings['program_changed']).toBeGreaterThanOrEqual(1);
    expect(stats.streams.map((s) => s.codec)).toEqual(['aac']);
    expect(outputs.filter((o) => o.kind === 'ts').length).toBeGreaterThan(0);
  });
});

describe('program selection', () => {
  const twoPrograms = () => fixture('two_programs');

  it('follows the requested service id', async () => {
    const { outputs, stats } = await runPipeline(twoPrograms(), { serviceId: 4912 });
    expect(stats.programNumber).toBe(4912);
    expect(codecs(tempFile('4912.ts', tsBytes(outputs)))).toEqual(['mpeg2video', 'aac']);
  });

  it('finds its service when the PAT lists the whole transponder but only one PMT is sent', async () => {
    const input = twoPrograms();
    const other = probeSync(input.subarray(0, 1 << 20)).programs.find((p) => p.serviceId === 4912)!;
    const stripped = dropPids(input, new Set([other.pmtPid, ...other.streams.map((s) => s.pid)]));
    const { outputs, stats } = await runPipeline(stripped, { serviceId: 4911 });
    expect(stats.programNumber).toBe(4911);
    const output = tempFile('4911.ts', tsBytes(outputs));
    expect(codecs(output)).toEqual(['h264', 'aac']);
    expect(decodeErrors(output)).toEqual([]);
  });

  it('waits for a service that is not there and says so', async () => {
    const { outputs, stats } = await runPipeline(twoPrograms(), { serviceId: 4999 });
    expect(outputs.map((o) => o.kind)).toEqual(['end']);
    expect(stats.warnings['program_missing']).toBeGreaterThanOrEqual(1);
    expect(stats.programNumber).toBeUndefined();
  });
});
