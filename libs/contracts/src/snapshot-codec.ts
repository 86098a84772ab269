import { once } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createGzip, gunzip } from 'node:zlib';
import { SNAPSHOT_SCHEMA_VERSION, type CatalogSnapshot, type EpgEvent } from './catalog-snapshot.js';

const gunzipAsync = promisify(gunzip);
const EPG_OPENING = ',"epg":{';
const LINES_BETWEEN_YIELDS = 100;

/**
 * The stored form of a catalog snapshot: gzipped JSON, framed so that neither writer nor reader ever holds a
 * 1,500-channel week as one string. Line 1 holds every field but `epg`, ending in `,"epg":{`; then one line per
 * channel (`"<id>":[…events…],`); then `}}`. It is plain JSON to any other reader.
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

/**
 * Reads a stored snapshot line by line, yielding to the event loop between batches of channels; any other
 * layout of the same JSON is parsed in one go. Rejects a snapshot of another schema version.
 */
export async function decodeSnapshot(blob: Uint8Array): Promise<CatalogSnapshot> {
  const bytes = await gunzipAsync(blob);
  const snapshot = (await parseFramed(bytes)) ?? (JSON.parse(bytes.toString('utf8')) as CatalogSnapshot);
  if (snapshot.schema !== SNAPSHOT_SCHEMA_VERSION) {
    throw new Error(`snapshot schema ${String(snapshot.schema)} is not ${SNAPSHOT_SCHEMA_VERSION}`);
  }
  return snapshot;
}

async function parseFramed(bytes: Buffer): Promise<CatalogSnapshot | null> {
  const firstBreak = bytes.indexOf(0x0a);
  if (firstBreak < 0) return null;
  const headLine = bytes.toString('utf8', 0, firstBreak);
  if (!headLine.endsWith(EPG_OPENING)) return null;
  const head = JSON.parse(`${headLine.slice(0, -EPG_OPENING.length)}}`) as Omit<CatalogSnapshot, 'epg'>;
  const epg: Record<string, EpgEvent[]> = {};
  let start = firstBreak + 1;
  for (let lines = 1; start < bytes.length; lines++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.toString('utf8', start, end);
    start = end + 1;
    if (line === '}}') break;
    Object.assign(epg, JSON.parse(`{${line.endsWith(',') ? line.slice(0, -1) : line}}`));
    if (lines % LINES_BETWEEN_YIELDS === 0) await yieldToLoop();
  }
  return { ...head, epg };
}
