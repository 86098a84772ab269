const PACKET = 188;
const SYNC = 0x47;
const PAT_PID = 0;

/**
 * Offsets in a chunk of the engine's TS output where a new viewer can start: a PAT whose tables are followed by a
 * PES start with `random_access_indicator` set (a video keyframe, or an audio frame of a radio service). The engine
 * writes PAT and PMT right before every keyframe, so these are the starts of its GOPs. Pure; the chunk holds whole
 * packets.
 */
export function keyPoints(chunk: Uint8Array): number[] {
  const points: number[] = [];
  let pat = -1;
  for (let offset = 0; offset + PACKET <= chunk.length; offset += PACKET) {
    if (chunk[offset] !== SYNC) return points;
    const pid = (((chunk[offset + 1] as number) & 0x1f) << 8) | (chunk[offset + 2] as number);
    if (pid === PAT_PID) {
      pat = offset;
      continue;
    }
    // Packets between the PAT and the next PES start are the PMT (a section, not a PES) or other tables.
    if (pat >= 0 && startsPes(chunk, offset)) {
      if (randomAccess(chunk, offset)) points.push(pat);
      pat = -1;
    }
  }
  return points;
}

function payloadStart(chunk: Uint8Array, offset: number): number {
  const control = ((chunk[offset + 3] as number) >> 4) & 0x3;
  if (control === 1) return offset + 4;
  if (control === 3) return offset + 5 + (chunk[offset + 4] as number);
  return -1;
}

function startsPes(chunk: Uint8Array, offset: number): boolean {
  if (((chunk[offset + 1] as number) & 0x40) === 0) return false;
  const start = payloadStart(chunk, offset);
  return (
    start >= 0 &&
    start + 3 <= offset + PACKET &&
    chunk[start] === 0 &&
    chunk[start + 1] === 0 &&
    chunk[start + 2] === 1
  );
}

function randomAccess(chunk: Uint8Array, offset: number): boolean {
  const control = ((chunk[offset + 3] as number) >> 4) & 0x3;
  if (control !== 3 || (chunk[offset + 4] as number) === 0) return false;
  return ((chunk[offset + 5] as number) & 0x40) !== 0;
}
