import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hostileSnapshot } from '../rendering/snapshot.fixture.js';
import { decodeSnapshot } from './snapshot-decoder.js';

/** The catalog's framed layout, written here independently: head fields, `"epg":{`, one channel per line, `}}`. */
function framed(snapshot: ReturnType<typeof hostileSnapshot>): Buffer {
  const { epg, ...head } = snapshot;
  const lines = Object.entries(epg).map(
    ([id, events], index) => `${index ? ',' : ''}\n${JSON.stringify(id)}:${JSON.stringify(events)}`,
  );
  return gzipSync(`${JSON.stringify(head).slice(0, -1)},"epg":{${lines.join('')}\n}}`);
}

describe('decodeSnapshot', () => {
  it('reads the framed layout line by line and plain JSON in one go, to the same value', async () => {
    const snapshot = hostileSnapshot();
    const text = framed(snapshot);
    expect(JSON.parse(gunzipSync(text).toString('utf8'))).toEqual(snapshot);
    expect(await decodeSnapshot(text)).toEqual(snapshot);
    expect(await decodeSnapshot(gzipSync(JSON.stringify(snapshot)))).toEqual(snapshot);
  });

  it('refuses another schema version', async () => {
    const other = { ...hostileSnapshot(), schema: 2 };
    await expect(decodeSnapshot(gzipSync(JSON.stringify(other)))).rejects.toThrow(/schema 2/);
  });
});
