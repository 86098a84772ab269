import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { SNAPSHOT_SCHEMA_VERSION, type CatalogSnapshot, type EpgEvent } from '@e2gate/contracts';

const gunzipAsync = promisify(gunzip);
const EPG_OPENING = ',"epg":{';
const LINES_BETWEEN_YIELDS = 100;

/**
 * Decodes a catalog snapshot object (gzipped JSON). The catalog frames it one channel's EPG per line (its
 * `snapshot-codec.ts`): read that way, a 1,500-channel week is never one giant string, and the event loop keeps
 * serving between lines. Any other layout of the same JSON is parsed in one go.
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
