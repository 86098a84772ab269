import { keyPoints } from './ts-keypoints.js';

const PACKET = 188;
/** Chunks on `stream.data.*` stay well under NATS's 1 MiB payload limit (DESIGN §4: ~64 KiB). */
export const MAX_CHUNK_BYTES = 348 * PACKET;

export interface ViewerChunk {
  bytes: Buffer;
  /** A new viewer can start with this chunk: it begins with PAT, PMT and a keyframe. */
  key: boolean;
}

/**
 * Cuts a piece of the engine's TS output into chunks for the viewers: whole packets, at most `MAX_CHUNK_BYTES`,
 * a new chunk at every key point so that a key chunk starts exactly there. Pure; views, not copies.
 */
export function chunksForViewers(data: Buffer): ViewerChunk[] {
  const cuts = keyPoints(data);
  const bounds = [...(cuts[0] === 0 ? [] : [0]), ...cuts, data.length];
  const keyStarts = new Set(cuts);
  const chunks: ViewerChunk[] = [];
  for (let index = 0; index + 1 < bounds.length; index++) {
    const from = bounds[index] as number;
    const to = bounds[index + 1] as number;
    for (let offset = from; offset < to; offset += MAX_CHUNK_BYTES) {
      const bytes = data.subarray(offset, Math.min(to, offset + MAX_CHUNK_BYTES));
      chunks.push({ bytes, key: offset === from && keyStarts.has(from) });
    }
  }
  return chunks;
}
