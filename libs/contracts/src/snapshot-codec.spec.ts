import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CatalogSnapshot } from './catalog-snapshot.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';

const snapshot = (epg: CatalogSnapshot['epg']): CatalogSnapshot => ({
  schema: 1,
  version: 'abc',
  createdAt: '2026-11-21T00:00:00.000Z',
  epgWindow: { from: 1, to: 2 },
  receiver: { brand: 'Vu+', model: 'Uno 4K', imageVersion: 'OpenATV 7.6', webifVersion: '2.2', tuners: 4 },
  bouquets: [{ id: 'b', name: 'Sport & "Freizeit", Österreich', ref: 'r', channelIds: ['a-1'] }],
  channels: [],
  epg,
  partialFailures: [],
  counts: { bouquets: 1, channels: 0, events: 0, channelsWithEpg: 0, picons: 0 },
});

const hostile = snapshot({
  'a-1': [{ id: 1, start: 1, stop: 2, title: 'Grüße „aus“ Köln\n#EXTINF', description: 'x\ny}}\n"epg":{' }],
  'b-2': [],
  ...Object.fromEntries(
    Array.from({ length: 250 }, (_, i) => [`c-${i}`, [{ id: i, start: i, stop: i + 1, title: `T${i}` }]]),
  ),
});

/** The framed layout written here independently: head fields, `"epg":{`, one channel per line, `}}`. */
function framed(value: CatalogSnapshot): Buffer {
  const { epg, ...head } = value;
  const lines = Object.entries(epg).map(
    ([id, events], index) => `${index ? ',' : ''}\n${JSON.stringify(id)}:${JSON.stringify(events)}`,
  );
  return gzipSync(`${JSON.stringify(head).slice(0, -1)},"epg":{${lines.join('')}\n}}`);
}

describe('snapshot codec', () => {
  it('writes plain JSON in the framed layout and reads it back', async () => {
    for (const value of [snapshot({}), hostile]) {
      const blob = await encodeSnapshot(value);
      expect(gunzipSync(blob).toString()).toBe(gunzipSync(framed(value)).toString());
      expect(JSON.parse(gunzipSync(blob).toString())).toEqual(value);
      expect(await decodeSnapshot(blob)).toEqual(value);
    }
  });

  it('still reads a snapshot written as one JSON document', async () => {
    expect(await decodeSnapshot(gzipSync(JSON.stringify(hostile)))).toEqual(hostile);
  });

  it('refuses another schema version', async () => {
    await expect(decodeSnapshot(gzipSync(JSON.stringify({ ...hostile, schema: 2 })))).rejects.toThrow(
      /schema 2/,
    );
  });
});
