/**
 * A fixture file prepared for looping: only the program's packets (PAT, PMT, elementary streams; SI and null
 * packets dropped, as a box forwards only the service's PIDs), a send time per packet from the PCR, and the
 * loop length that keeps PTS/DTS/PCR continuous when the file repeats.
 */
import {
  NULL_PID,
  PAT_PID,
  SYNC_BYTE,
  TS_PACKET_SIZE,
  findSync,
  pesTimestamps,
  pidOf,
  readPcr27,
  readTimestamp,
} from './packets.js';
import { isAudio, isVideo, parsePat, parsePmt, sectionIn, type Pmt } from './psi.js';

export interface TsFixture {
  name: string;
  /** Kept packets, back to back. */
  packets: Buffer;
  count: number;
  /** Send time of each kept packet in seconds, non-decreasing, from the PCR. */
  times: Float64Array;
  /** Loop length in 90 kHz ticks: the offset added to timestamps on every repetition. */
  loop90k: number;
  loopSeconds: number;
  programNumber: number;
  pmtPid: number;
  pcrPid: number;
  videoPids: number[];
  audioPids: number[];
  pmt: Pmt;
}

export class FixtureError extends Error {
  readonly code = 'SIM_BAD_FIXTURE';
}

interface Program {
  programNumber: number;
  pmtPid: number;
  pmt: Pmt;
}

function findProgram(data: Buffer, start: number): Program {
  let pmtPid = -1;
  let programNumber = -1;
  for (let at = start; at + TS_PACKET_SIZE <= data.length; at += TS_PACKET_SIZE) {
    const pid = pidOf(data, at);
    if (pmtPid < 0 && pid === PAT_PID) {
      const span = sectionIn(data, at);
      const program = span ? parsePat(data, span).programs.find((entry) => entry.number !== 0) : undefined;
      if (program) {
        pmtPid = program.pid;
        programNumber = program.number;
      }
    } else if (pmtPid >= 0 && pid === pmtPid) {
      const span = sectionIn(data, at);
      if (span && data[span.start] === 0x02) return { programNumber, pmtPid, pmt: parsePmt(data, span) };
    }
  }
  throw new FixtureError('no PAT/PMT found in the first program');
}

/** Most frequent positive difference between consecutive sorted values (the frame duration). */
function typicalStep(sorted: readonly number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const step = sorted[i]! - sorted[i - 1]!;
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of counts) if (count > bestCount) [best, bestCount] = [step, count];
  return best;
}

/** Interpolates send times (seconds) for every packet index from the PCR samples, extrapolating at both ends. */
function packetTimes(total: number, samples: readonly (readonly [number, number])[]): Float64Array {
  const times = new Float64Array(total);
  const [firstIndex, firstPcr] = samples[0]!;
  const [lastIndex, lastPcr] = samples[samples.length - 1]!;
  const ticksPerPacket = (lastPcr - firstPcr) / (lastIndex - firstIndex);
  let segment = 0;
  for (let i = 0; i < total; i++) {
    while (segment + 1 < samples.length && samples[segment + 1]![0] <= i) segment++;
    const [index, pcr] = samples[segment]!;
    const next = samples[segment + 1];
    const rate = next && i >= index ? (next[1] - pcr) / (next[0] - index) : ticksPerPacket;
    times[i] = (pcr - firstPcr + (i - index) * rate) / 27_000_000;
  }
  return times;
}

export function analyseFixture(name: string, data: Buffer): TsFixture {
  const start = findSync(data);
  if (start < 0) throw new FixtureError(`${name}: no MPEG-TS sync`);
  const { programNumber, pmtPid, pmt } = findProgram(data, start);
  const videoPids = pmt.streams.filter(isVideo).map((stream) => stream.pid);
  const audioPids = pmt.streams.filter(isAudio).map((stream) => stream.pid);
  const keep = new Set([PAT_PID, pmtPid, pmt.pcrPid, ...pmt.streams.map((stream) => stream.pid)]);
  keep.delete(NULL_PID);
  const timingPid = videoPids[0] ?? audioPids[0];
  if (timingPid === undefined) throw new FixtureError(`${name}: no audio or video stream`);

  const total = Math.floor((data.length - start) / TS_PACKET_SIZE);
  const pcrSamples: [number, number][] = [];
  const pts: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < total; i++) {
    const at = start + i * TS_PACKET_SIZE;
    if (data[at] !== SYNC_BYTE) throw new FixtureError(`${name}: lost sync at packet ${i}`);
    const pid = pidOf(data, at);
    if (!keep.has(pid)) continue;
    kept.push(i);
    if (pid === pmt.pcrPid) {
      const pcr = readPcr27(data, at);
      if (pcr !== null && (pcrSamples.length === 0 || pcr > pcrSamples[pcrSamples.length - 1]![1]))
        pcrSamples.push([i, pcr]);
    }
    if (pid === timingPid) {
      const stamps = pesTimestamps(data, at);
      if (stamps && stamps.ptsAt !== null) pts.push(readTimestamp(data, stamps.ptsAt));
    }
  }
  if (pcrSamples.length < 2) throw new FixtureError(`${name}: fewer than two PCRs`);
  if (pts.length < 2) throw new FixtureError(`${name}: fewer than two PES timestamps on PID ${timingPid}`);

  const allTimes = packetTimes(total, pcrSamples);
  const packets = Buffer.alloc(kept.length * TS_PACKET_SIZE);
  const times = new Float64Array(kept.length);
  kept.forEach((index, k) => {
    data.copy(
      packets,
      k * TS_PACKET_SIZE,
      start + index * TS_PACKET_SIZE,
      start + (index + 1) * TS_PACKET_SIZE,
    );
    times[k] = allTimes[index]! - allTimes[kept[0]!]!;
  });

  // Media length = span of the presentation timestamps plus one frame: repeating the file after exactly this
  // long makes the next frame follow the last one. It must also cover the whole send schedule.
  pts.sort((a, b) => a - b);
  const frame = typicalStep(pts) || 3600;
  const mediaTicks = pts[pts.length - 1]! - pts[0]! + frame;
  const sendSpan =
    (times[times.length - 1]! + (times[times.length - 1]! - times[0]!) / Math.max(1, times.length - 1)) *
    90_000;
  const loop90k = mediaTicks >= sendSpan ? mediaTicks : Math.ceil(sendSpan / frame) * frame;

  return {
    name,
    packets,
    count: kept.length,
    times,
    loop90k,
    loopSeconds: loop90k / 90_000,
    programNumber,
    pmtPid,
    pcrPid: pmt.pcrPid,
    videoPids,
    audioPids,
    pmt,
  };
}
