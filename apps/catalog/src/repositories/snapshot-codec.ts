import { once } from 'node:events';
import { createGzip, gunzipSync } from 'node:zlib';
import { SNAPSHOT_SCHEMA_VERSION, type CatalogSnapshot, type EpgEvent } from '@e2gate/contracts';

const EPG_OPENING = ',"epg":{';

/**
 * Gzipped JSON of a snapshot, written piece by piece so that a 1,500-channel week never exists as one giant
 * string. Layout (plain JSON to any reader): line 1 is every field but `epg` followed by `"epg":{`, then one
 * line per channel (`"<id>":[…events…],`), then `}}`. `decodeSnapshot` reads it line by line.
 */
export async function encodeSnapshot(snapshot: CatalogSnapshot): Promise<Buffer> {
  const gzip = createGzip({ level: 6 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  const { epg, ...head } = snapshot;
  await write(`${JSON.stringify(head).slice(0, -1)}${EPG_OPENING}`);
  let first = true;
  for (const [channelId, events] of Object.entries(epg)) {
    await write(`${first ? '' : ','}\n${JSON.stringify(channelId)}:${JSON.stringify(events)}`);
    first = false;
  }
  await write('\n}}');
  gzip.end();
  await once(gzip, 'end');
  return Buffer.concat(chunks);
}

/** Parses a snapshot one channel line at a time (falls back to one `JSON.parse` for other layouts). */
export function decodeSnapshot(blob: Uint8Array): CatalogSnapshot {
  const text = gunzipSync(blob);
  const snapshot = parseFramed(text) ?? (JSON.parse(text.toString('utf8')) as CatalogSnapshot);
  if (snapshot.schema !== SNAPSHOT_SCHEMA_VERSION) {
    throw new Error(`snapshot schema ${String(snapshot.schema)} is not ${SNAPSHOT_SCHEMA_VERSION}`);
  }
  return snapshot;
}

function parseFramed(bytes: Buffer): CatalogSnapshot | null {
  const firstBreak = bytes.indexOf(0x0a);
  if (firstBreak < 0) return null;
  const headLine = bytes.toString('utf8', 0, firstBreak);
  if (!headLine.endsWith(EPG_OPENING)) return null;
  const head = JSON.parse(`${headLine.slice(0, -EPG_OPENING.length)}}`) as Omit<CatalogSnapshot, 'epg'>;
  const epg: Record<string, EpgEvent[]> = {};
  let start = firstBreak + 1;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.toString('utf8', start, end);
    start = end + 1;
    if (line === '}}') break;
    Object.assign(epg, JSON.parse(`{${line.endsWith(',') ? line.slice(0, -1) : line}}`));
  }
  return { ...head, epg };
}
