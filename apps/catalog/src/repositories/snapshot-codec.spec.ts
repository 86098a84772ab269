import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CatalogSnapshot } from '@e2gate/contracts';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';

const snapshot = (epg: CatalogSnapshot['epg']): CatalogSnapshot => ({
  schema: 1,
  version: 'abc',
  createdAt: '2026-11-21T00:00:00.000Z',
  epgWindow: { from: 1, to: 2 },
  receiver: { brand: 'Vu+', model: 'Uno 4K', imageVersion: 'OpenATV 7.6', webifVersion: '2.2', tuners: 4 },
  bouquets: [],
  channels: [],
  epg,
  partialFailures: [],
  counts: { bouquets: 0, channels: 0, events: 0, channelsWithEpg: 0, picons: 0 },
});

describe('snapshot codec', () => {
  it('produces the same JSON as JSON.stringify and round-trips', async () => {
    for (const value of [
      snapshot({}),
      snapshot({
        'a-1': [{ id: 1, start: 1, stop: 2, title: 'Grüße „aus“ Köln', description: 'x\ny' }],
        'b-2': [],
      }),
    ]) {
      const blob = await encodeSnapshot(value);
      expect(JSON.parse(gunzipSync(blob).toString())).toEqual(JSON.parse(JSON.stringify(value)));
      expect(decodeSnapshot(blob)).toEqual(value);
    }
  });

  it('still reads a snapshot written as one JSON document', () => {
    const value = snapshot({ x: [{ id: 2, start: 5, stop: 6, title: 'Plain' }] });
    expect(decodeSnapshot(gzipSync(JSON.stringify(value)))).toEqual(value);
  });

  it('refuses another schema version', async () => {
    const blob = await encodeSnapshot({ ...snapshot({}), schema: 2 as 1 });
    expect(() => decodeSnapshot(blob)).toThrow(/schema 2/);
  });
});
