// Packet-level surgery on transport streams, to build damaged inputs from clean fixtures
// (see the shared reference broadcast-streams.md §5).
const PACKET = 188;

export function pidOf(packet: Buffer): number {
  return ((packet[1]! & 0x1f) << 8) | packet[2]!;
}

function packetsOf(ts: Buffer): Buffer[] {
  const list: Buffer[] = [];
  for (let offset = 0; offset + PACKET <= ts.length; offset += PACKET)
    list.push(ts.subarray(offset, offset + PACKET));
  return list;
}

/** Removes every packet on the given PIDs. */
export function dropPids(ts: Buffer, pids: Set<number>): Buffer {
  return Buffer.concat(packetsOf(ts).filter((p) => !pids.has(pidOf(p))));
}

/** Sets transport_scrambling_control = '10' on the first `count` payload packets of each PID in `plan`. */
export function scrambleStart(ts: Buffer, plan: Map<number, number>): Buffer {
  const left = new Map(plan);
  return Buffer.concat(
    packetsOf(ts).map((packet) => {
      const pid = pidOf(packet);
      const remaining = left.get(pid) ?? 0;
      if (remaining === 0 || (packet[3]! & 0x10) === 0) return packet;
      left.set(pid, remaining - 1);
      const copy = Buffer.from(packet);
      copy[3] = (copy[3]! & 0x3f) | 0x80;
      for (let i = 8; i < PACKET; i += 7) copy[i] = (copy[i]! * 31 + i) & 0xff; // payload is noise when scrambled
      return copy;
    }),
  );
}

/** Deterministic xorshift32 generator, so damaged inputs are reproducible. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

/** Flips `count` random bits anywhere in the stream. */
export function flipBits(ts: Buffer, count: number, seed: number): Buffer {
  const next = random(seed);
  const copy = Buffer.from(ts);
  for (let i = 0; i < count; i++) {
    const at = Math.floor(next() * copy.length);
    copy[at] = copy[at]! ^ (1 << Math.floor(next() * 8));
  }
  return copy;
}

/** Drops every `every`-th packet and cuts `cutEvery`-th packets in half (lost and truncated packets). */
export function losePackets(ts: Buffer, every: number, cutEvery: number): Buffer {
  return Buffer.concat(
    packetsOf(ts).flatMap((packet, index) => {
      if (index % every === every - 1) return [];
      if (index % cutEvery === cutEvery - 1) return [packet.subarray(0, PACKET / 2)];
      return [packet];
    }),
  );
}

/** The stream from packet `index` on (a start in the middle of a GOP). */
export function fromPacket(ts: Buffer, index: number): Buffer {
  return ts.subarray(index * PACKET);
}
