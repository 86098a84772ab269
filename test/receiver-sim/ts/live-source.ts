/**
 * A fixture played as a live service: loops forever with continuous timestamps (each repetition adds the loop
 * length to PCR/PTS/DTS, 33-bit wrap), continuity counters carried on, the PAT replaced by the transponder's
 * (requested SID plus its neighbours, whose PMTs never come), the PMT's program_number set to the SID, and
 * optionally a scrambled lead-in or a fully scrambled service.
 */
import type { TsFixture } from './fixture.js';
import {
  PAT_PID,
  TIMESTAMP_WRAP,
  TS_PACKET_SIZE,
  hasPayload,
  payloadOffset,
  payloadUnitStart,
  pesTimestamps,
  pidOf,
  readPcrBase,
  readTimestamp,
  setContinuityCounter,
  setScramblingControl,
  writePcrBase,
  writeTimestamp,
} from './packets.js';
import { buildPatPacket, patchPmtProgramNumber, sectionIn, type PatProgram } from './psi.js';

export type Scrambling =
  | { mode: 'none' }
  /** The first N payload packets of each video / audio PID scrambled (relay lead-in). */
  | { mode: 'lead-in'; videoPackets: number; audioPackets: number }
  /** Every elementary-stream payload scrambled (an encrypted service read from port 8001). */
  | { mode: 'all' };

export interface LiveSourceOptions {
  sid: number;
  transportStreamId: number;
  /** Other services of the transponder for the PAT (their PMT PIDs never appear). */
  neighbours: readonly number[];
  /** Position on the virtual live timeline in seconds (e.g. wall clock + per-channel phase). */
  startSeconds: number;
  scrambling: Scrambling;
  /** Seed for scrambled payload bytes. */
  seed: number;
}

const FIRST_NEIGHBOUR_PMT_PID = 0x0064;

/** PAT entries: NIT, the requested program with the fixture's PMT PID, neighbours on unused PIDs. */
export function transponderPat(fixture: TsFixture, sid: number, neighbours: readonly number[]): PatProgram[] {
  const used = new Set([fixture.pmtPid, fixture.pcrPid, ...fixture.pmt.streams.map((stream) => stream.pid)]);
  const programs: PatProgram[] = [{ number: 0, pid: 0x0010 }];
  let nextPid = FIRST_NEIGHBOUR_PMT_PID;
  for (const number of [...new Set([sid, ...neighbours])].sort((a, b) => a - b)) {
    if (number === sid) {
      programs.push({ number, pid: fixture.pmtPid });
      continue;
    }
    while (used.has(nextPid)) nextPid++;
    used.add(nextPid);
    programs.push({ number, pid: nextPid });
  }
  return programs;
}

export class LiveTsSource {
  private readonly pat: Buffer;
  private readonly counters = new Map<number, number>();
  private readonly leadIn = new Map<number, number>();
  private readonly esPids: Set<number>;
  private loop: number;
  private index: number;
  private garbage: number;
  /** Media time (s) of the first packet sent, on the virtual timeline. */
  readonly startTime: number;

  constructor(
    private readonly fixture: TsFixture,
    private readonly options: LiveSourceOptions,
  ) {
    this.pat = buildPatPacket(
      options.transportStreamId,
      transponderPat(fixture, options.sid, options.neighbours),
    );
    this.esPids = new Set([...fixture.videoPids, ...fixture.audioPids]);
    const virtual = Math.max(0, options.startSeconds);
    this.loop = Math.floor(virtual / fixture.loopSeconds);
    const position = virtual - this.loop * fixture.loopSeconds;
    this.index = lowerBound(fixture.times, position);
    if (this.index >= fixture.count) {
      this.index = 0;
      this.loop++;
    }
    this.startTime = this.timeOf(this.loop, this.index);
    this.garbage = options.seed >>> 0 || 1;
    if (options.scrambling.mode === 'lead-in') {
      for (const pid of fixture.videoPids) this.leadIn.set(pid, options.scrambling.videoPackets);
      for (const pid of fixture.audioPids) this.leadIn.set(pid, options.scrambling.audioPackets);
    }
  }

  private timeOf(loop: number, index: number): number {
    return loop * this.fixture.loopSeconds + this.fixture.times[index]!;
  }

  /** Seconds since the first packet at which the next packet is due. */
  nextDue(): number {
    return this.timeOf(this.loop, this.index) - this.startTime;
  }

  /** Up to `maxPackets` rewritten packets due at or before `untilSeconds` (since the first packet). */
  read(maxPackets: number, untilSeconds = Number.POSITIVE_INFINITY): Buffer {
    const out = Buffer.allocUnsafe(maxPackets * TS_PACKET_SIZE);
    let n = 0;
    while (n < maxPackets && this.nextDue() <= untilSeconds) {
      const at = n * TS_PACKET_SIZE;
      this.fixture.packets.copy(out, at, this.index * TS_PACKET_SIZE, (this.index + 1) * TS_PACKET_SIZE);
      this.rewrite(out, at);
      n++;
      if (++this.index >= this.fixture.count) {
        this.index = 0;
        this.loop++;
      }
    }
    return out.subarray(0, n * TS_PACKET_SIZE);
  }

  private rewrite(buf: Buffer, at: number): void {
    const pid = pidOf(buf, at);
    if (pid === PAT_PID) {
      this.pat.copy(buf, at);
    } else if (pid === this.fixture.pmtPid) {
      const span = sectionIn(buf, at);
      if (span && buf[span.start] === 0x02) patchPmtProgramNumber(buf, span, this.options.sid);
    }
    const offset = (this.loop * this.fixture.loop90k) % TIMESTAMP_WRAP;
    if (offset !== 0) this.shiftTimestamps(buf, at, pid, offset);
    if (this.esPids.has(pid) && hasPayload(buf, at)) this.scramble(buf, at, pid);
    const last = this.counters.get(pid) ?? 15;
    const cc = hasPayload(buf, at) ? (last + 1) & 0x0f : last;
    this.counters.set(pid, cc);
    setContinuityCounter(buf, at, cc);
  }

  private shiftTimestamps(buf: Buffer, at: number, pid: number, offset: number): void {
    const pcr = readPcrBase(buf, at);
    if (pcr !== null) writePcrBase(buf, at, pcr + offset);
    if (!this.esPids.has(pid) || !payloadUnitStart(buf, at)) return;
    const stamps = pesTimestamps(buf, at);
    if (stamps?.ptsAt) writeTimestamp(buf, stamps.ptsAt, readTimestamp(buf, stamps.ptsAt) + offset);
    if (stamps?.dtsAt) writeTimestamp(buf, stamps.dtsAt, readTimestamp(buf, stamps.dtsAt) + offset);
  }

  private scramble(buf: Buffer, at: number, pid: number): void {
    const mode = this.options.scrambling.mode;
    if (mode === 'none') return;
    if (mode === 'lead-in') {
      const left = this.leadIn.get(pid) ?? 0;
      if (left <= 0) return;
      this.leadIn.set(pid, left - 1);
    }
    setScramblingControl(buf, at, 0b10);
    const offset = payloadOffset(buf, at);
    if (offset === null) return;
    let x = this.garbage;
    for (let i = at + offset; i < at + TS_PACKET_SIZE; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      buf[i] = x & 0xff;
    }
    this.garbage = x >>> 0 || 1;
  }
}

/** First index whose value is ≥ target. */
function lowerBound(values: Float64Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! < target) low = mid + 1;
    else high = mid;
  }
  return low;
}
