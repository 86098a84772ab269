import { createHash } from 'node:crypto';
import type { Bouquet, Channel, EpgEvent, Recording } from '@e2gate/contracts';

/**
 * Content version of a snapshot: a hash over bouquets, channels, EPG and recordings. A refresh that finds nothing new
 * keeps the version, so ETags derived from it stay valid and clients get 304s.
 */
export function snapshotVersion(content: {
  bouquets: Bouquet[];
  channels: Channel[];
  epg: Record<string, EpgEvent[]>;
  recordings?: Recording[];
}): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(content.bouquets));
  hash.update(JSON.stringify(content.channels));
  for (const id of Object.keys(content.epg).sort()) {
    hash.update(id);
    hash.update(JSON.stringify(content.epg[id]));
  }
  // Absent (a snapshot without recordings) hashes as before, so versions of older content stay unchanged.
  if (content.recordings !== undefined) hash.update(JSON.stringify(content.recordings));
  return hash.digest('hex').slice(0, 16);
}
