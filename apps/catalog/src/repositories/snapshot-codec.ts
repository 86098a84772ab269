import { once } from 'node:events';
import { createGzip, gunzipSync } from 'node:zlib';
import { SNAPSHOT_SCHEMA_VERSION, type CatalogSnapshot } from '@e2gate/contracts';

/**
 * Gzipped JSON of a snapshot, serialised piece by piece (one channel's EPG at a time) so that a 1,500-channel
 * week never exists as one giant string in memory.
 */
export async function encodeSnapshot(snapshot: CatalogSnapshot): Promise<Buffer> {
  const gzip = createGzip({ level: 6 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  const { epg, ...head } = snapshot;
  const headJson = JSON.stringify(head);
  await write(`${headJson.slice(0, -1)},"epg":{`);
  let first = true;
  for (const [channelId, events] of Object.entries(epg)) {
    await write(`${first ? '' : ','}${JSON.stringify(channelId)}:${JSON.stringify(events)}`);
    first = false;
  }
  await write('}}');
  gzip.end();
  await once(gzip, 'end');
  return Buffer.concat(chunks);
}

export function decodeSnapshot(blob: Uint8Array): CatalogSnapshot {
  const snapshot = JSON.parse(gunzipSync(blob).toString('utf8')) as CatalogSnapshot;
  if (snapshot.schema !== SNAPSHOT_SCHEMA_VERSION) {
    throw new Error(`snapshot schema ${String(snapshot.schema)} is not ${SNAPSHOT_SCHEMA_VERSION}`);
  }
  return snapshot;
}
