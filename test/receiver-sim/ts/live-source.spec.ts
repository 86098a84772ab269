import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../fixtures.js';
import { continuityErrors, ffprobeDebugLog, ffprobeJson, scanPackets } from '../spec-support.js';
import type { TsFixture } from './fixture.js';
import { LiveTsSource, type LiveSourceOptions } from './live-source.js';
import { TIMESTAMP_WRAP, pesTimestamps, readTimestamp } from './packets.js';
import { parsePat, parsePmt, sectionCrcValid, sectionIn } from './psi.js';

const SID = 0x6d66;
const NEIGHBOURS = [0x6dca, 0x6dd6];

let sd: TsFixture;
let hd: TsFixture;

beforeAll(async () => {
  sd = await loadFixture('t3_576i_mpeg2');
  hd = await loadFixture('t1_720p50_ac3_mp2');
}, 600_000);

function capture(fixture: TsFixture, seconds: number, overrides: Partial<LiveSourceOptions> = {}): Buffer {
  const source = new LiveTsSource(fixture, {
    sid: SID,
    transportStreamId: 0x437,
    neighbours: NEIGHBOURS,
    startSeconds: 0,
    scrambling: { mode: 'none' },
    seed: 9,
    ...overrides,
  });
  const chunks: Buffer[] = [];
  while (source.nextDue() < seconds) chunks.push(source.read(1000, seconds));
  return Buffer.concat(chunks);
}

interface ProbePacket {
  stream_index: number;
  pts?: number;
  dts?: number;
}

async function timestampSteps(data: Buffer): Promise<Map<number, number[]>> {
  const { packets } = await ffprobeJson<{ packets: ProbePacket[] }>(data, [
    '-show_entries',
    'packet=stream_index,pts,dts',
  ]);
  const steps = new Map<number, number[]>();
  const last = new Map<number, number>();
  for (const packet of packets) {
    if (packet.dts === undefined) continue;
    const previous = last.get(packet.stream_index);
    if (previous !== undefined)
      steps.set(packet.stream_index, [...(steps.get(packet.stream_index) ?? []), packet.dts - previous]);
    last.set(packet.stream_index, packet.dts);
  }
  return steps;
}

describe('live source from a looping fixture', () => {
  it('analyses the fixture: program, PIDs and a loop of whole frames', () => {
    expect(sd.videoPids).toHaveLength(1);
    expect(sd.audioPids).toHaveLength(1);
    expect(sd.loop90k % 3600).toBe(0);
    expect(sd.loopSeconds).toBeGreaterThanOrEqual(19.9);
    expect(hd.audioPids).toHaveLength(2);
    expect(hd.pmtPid).toBe(107);
  });

  it('keeps DTS continuous across the loop point (ffprobe): no jump on video, at most a frame on audio', async () => {
    // Start 4 s before the end of a loop and capture 10 s: the file repeats in the middle of the capture.
    const data = capture(sd, 10, { startSeconds: 7 * sd.loopSeconds - 4 });
    const steps = await timestampSteps(data);
    const video = steps.get(0)!;
    expect(video.length).toBeGreaterThan(200);
    expect(new Set(video)).toEqual(new Set([3600]));
    const audio = steps.get(1)!;
    expect(audio.every((step) => step > 0 && step <= 2160)).toBe(true);
  });

  it('keeps the PCR rising smoothly and the continuity counters unbroken across the loop', async () => {
    const data = capture(sd, 10, { startSeconds: 3 * sd.loopSeconds - 4 });
    const packets = scanPackets(data);
    const pcrs = packets.flatMap((packet) => (packet.pcr27 === null ? [] : [packet.pcr27]));
    const gaps = pcrs.slice(1).map((pcr, i) => pcr - pcrs[i]!);
    expect(gaps.every((gap) => gap > 0 && gap < 0.1 * 27_000_000)).toBe(true);
    expect(continuityErrors(packets)).toBe(0);
    expect(await ffprobeDebugLog(data)).not.toMatch(/Continuity check failed/);
  });

  it('wraps timestamps at 2^33 and ffprobe still sees a continuous stream', async () => {
    const loopOf = (k: number): number => (k * sd.loop90k) % TIMESTAMP_WRAP;
    let loop = Math.floor(TIMESTAMP_WRAP / sd.loop90k) - 2;
    while (loopOf(loop) < TIMESTAMP_WRAP - sd.loop90k / 2) loop++;
    const data = capture(sd, 12, { startSeconds: loop * sd.loopSeconds });
    const raw = scanPackets(data).flatMap((packet) => {
      if (packet.pid !== sd.videoPids[0] || !packet.pusi) return [];
      const stamps = pesTimestamps(data, packet.offset);
      return stamps?.ptsAt ? [readTimestamp(data, stamps.ptsAt)] : [];
    });
    expect(Math.max(...raw)).toBeGreaterThan(TIMESTAMP_WRAP - 90_000 * 15);
    expect(Math.min(...raw)).toBeLessThan(90_000 * 15);
    expect(new Set((await timestampSteps(data)).get(0))).toEqual(new Set([3600]));
  });

  it('announces the requested SID and the transponder neighbours in the PAT, the SID in the PMT, CRCs valid', async () => {
    const data = capture(hd, 2, { startSeconds: 1234.5 });
    const packets = scanPackets(data);
    const pat = packets.find((packet) => packet.pid === 0)!;
    const patSpan = sectionIn(data, pat.offset)!;
    expect(sectionCrcValid(data, patSpan)).toBe(true);
    expect(parsePat(data, patSpan)).toEqual({
      transportStreamId: 0x437,
      programs: [
        { number: 0, pid: 0x10 },
        { number: SID, pid: hd.pmtPid },
        { number: NEIGHBOURS[0], pid: 0x64 },
        { number: NEIGHBOURS[1], pid: 0x65 },
      ],
    });
    const pmt = packets.find((packet) => packet.pid === hd.pmtPid && packet.pusi)!;
    const pmtSpan = sectionIn(data, pmt.offset)!;
    expect(sectionCrcValid(data, pmtSpan)).toBe(true);
    expect(parsePmt(data, pmtSpan).programNumber).toBe(SID);
    expect(packets.some((packet) => packet.pid === 0x11 || packet.pid === 0x1fff)).toBe(false);

    const probe = await ffprobeJson<{
      programs: { program_num: number; nb_streams: number; streams: { codec_name: string }[] }[];
    }>(data, ['-show_programs', '-show_entries', 'program=program_num,nb_streams:stream=codec_name']);
    const selected = probe.programs.find((program) => program.program_num === SID)!;
    expect(selected.streams.map((stream) => stream.codec_name).sort()).toEqual(['ac3', 'h264', 'mp2']);
    expect(
      probe.programs
        .filter((program) => program.nb_streams === 0)
        .map((program) => program.program_num)
        .sort(),
    ).toEqual(NEIGHBOURS);
  });

  it('scrambles the lead-in: the first 400 video and 20 audio payload packets, then clear', () => {
    const data = capture(hd, 4, { scrambling: { mode: 'lead-in', videoPackets: 400, audioPackets: 20 } });
    const packets = scanPackets(data);
    for (const [pid, expected] of [
      [hd.videoPids[0]!, 400],
      [hd.audioPids[0]!, 20],
      [hd.audioPids[1]!, 20],
    ] as const) {
      const payload = packets.filter((packet) => packet.pid === pid && packet.payload);
      const scrambled = payload.filter((packet) => packet.scrambling === 2);
      expect(scrambled).toHaveLength(expected);
      expect(payload.slice(0, expected).every((packet) => packet.scrambling === 2)).toBe(true);
    }
    expect(
      packets
        .filter((packet) => packet.pid === 0 || packet.pid === hd.pmtPid)
        .every((packet) => packet.scrambling === 0),
    ).toBe(true);
  });

  it('scrambles every elementary-stream payload in "all" mode', () => {
    const packets = scanPackets(capture(sd, 2, { scrambling: { mode: 'all' } }));
    const es = packets.filter(
      (packet) => (packet.pid === sd.videoPids[0] || packet.pid === sd.audioPids[0]) && packet.payload,
    );
    expect(es.length).toBeGreaterThan(100);
    expect(es.every((packet) => packet.scrambling === 2)).toBe(true);
  });
});
