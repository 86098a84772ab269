import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogSnapshot, Channel } from './catalog-snapshot.js';
import { ErrorCode } from './errors.js';
import {
  decodeSnapshot,
  decodeStoredSnapshotHead,
  encodeSnapshot,
  readStoredGuide,
  scanStoredSnapshot,
  snapshotDigest,
} from './snapshot-codec.js';

const channel = (id: string): Channel => ({
  id,
  xmltvId: `${id}.dvb`,
  number: 1,
  name: `Channel ${id}`,
  ref: '1:0:19:283D:3FB:1:C00000:0:0:0:',
  kind: 'dvb',
  sid: 0x283d,
  serviceType: 0x19,
  hd: true,
  bouquetIds: ['b'],
  picon: null,
});

const snapshot = (epg: CatalogSnapshot['epg']): CatalogSnapshot => ({
  schema: 1,
  version: 'abcdef0123456789',
  createdAt: '2026-11-21T00:00:00.000Z',
  epgWindow: { from: 1, to: 2 },
  receiver: { brand: 'Vu+', model: 'Uno 4K', imageVersion: 'OpenATV 7.6', webifVersion: '2.2', tuners: 4 },
  bouquets: [{ id: 'b', name: 'Sport & "Freizeit", Österreich', ref: 'r', channelIds: ['a-1'] }],
  channels: Object.keys(epg).map(channel),
  epg,
  partialFailures: [],
  counts: { bouquets: 1, channels: Object.keys(epg).length, events: 0, channelsWithEpg: 0, picons: 0 },
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

async function rejection(blob: Uint8Array, limits?: Parameters<typeof decodeSnapshot>[1]): Promise<string> {
  const error = await decodeSnapshot(blob, limits).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toMatchObject({ code: ErrorCode.SnapshotInvalid });
  return (error as Error).message;
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
    expect(await rejection(gzipSync(JSON.stringify({ ...hostile, schema: 2 })))).toMatch(/schema 2/);
  });

  it('refuses a channel whose name is not a string, naming the field', async () => {
    const bad = structuredClone(hostile) as unknown as { channels: Record<string, unknown>[] };
    bad.channels[0]!['name'] = { toString: 'x' };
    expect(await rejection(await encodeSnapshot(bad as unknown as CatalogSnapshot))).toMatch(
      /channels\.0\.name/,
    );
  });

  it('refuses overlapping events and guides of unknown channels', async () => {
    const overlapping = snapshot({
      'a-1': [
        { id: 1, start: 10, stop: 20, title: 'A' },
        { id: 2, start: 15, stop: 30, title: 'B' },
      ],
    });
    expect(await rejection(await encodeSnapshot(overlapping))).toMatch(/overlap/);
    const orphan = { ...snapshot({ 'a-1': [] }), epg: { 'zz-9': [] } };
    expect(await rejection(await encodeSnapshot(orphan))).toMatch(/unknown channel/);
  });

  it('stops inflating a gzip bomb at the limit instead of filling the heap', async () => {
    // 64 MiB of spaces inside one string: about 64 KiB gzipped.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"x":"'), Buffer.alloc(64 * 1024 * 1024, 0x20)]));
    expect(bomb.length).toBeLessThan(200_000);
    expect(await rejection(bomb, { maxInflatedBytes: 1024 * 1024, maxLineBytes: 512 * 1024 })).toMatch(
      /line exceeds 524288 bytes/,
    );
    const manyLines = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x0a));
    expect(await rejection(manyLines, { maxInflatedBytes: 1024 * 1024, maxLineBytes: 1024 })).toMatch(
      /inflates to more than 1048576 bytes/,
    );
  });

  it('refuses truncated and non-gzip input', async () => {
    const blob = await encodeSnapshot(hostile);
    expect(await rejection(blob.subarray(0, blob.length - 20))).toMatch(/unreadable|truncated/);
    expect(await rejection(Buffer.from('not gzip'))).toMatch(/unreadable/);
  });

  it('never throws anything but SNAPSHOT_INVALID on arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const outcome = await decodeSnapshot(gzipSync(JSON.stringify(value))).then(
          () => 'accepted',
          (error: { code?: string }) => error.code,
        );
        expect(outcome).toBe(ErrorCode.SnapshotInvalid);
      }),
      { numRuns: 200 },
    );
  });

  it('digests the stored bytes', async () => {
    const blob = await encodeSnapshot(hostile);
    expect(snapshotDigest(blob)).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotDigest(blob)).not.toBe(snapshotDigest(await encodeSnapshot(snapshot({}))));
  });

  it('reads only the head (channels, bouquets) when asked, still checking digest and version', async () => {
    const blob = await encodeSnapshot(hostile);
    const meta = { objectName: 'x', version: hostile.version, digest: snapshotDigest(blob) };
    const { epg: _epg, ...head } = hostile;
    expect(await decodeStoredSnapshotHead(blob, meta)).toEqual(head);
    expect(
      await decodeStoredSnapshotHead(gzipSync(JSON.stringify(hostile)), { ...meta, digest: undefined }),
    ).toEqual(head);
    await expect(decodeStoredSnapshotHead(blob, { ...meta, digest: '0'.repeat(64) })).rejects.toMatchObject({
      code: ErrorCode.SnapshotInvalid,
    });
    await expect(decodeStoredSnapshotHead(blob, { ...meta, version: 'ffffffffffffffff' })).rejects.toThrow(
      /holds version/,
    );
  });

  it('scans a snapshot as decoding does, handing each guide out instead of keeping it', async () => {
    const blob = await encodeSnapshot(hostile);
    const meta = { objectName: 'x', version: hostile.version, digest: snapshotDigest(blob) };
    const visited: [string, unknown][] = [];
    const { epg, ...head } = hostile;
    expect(await scanStoredSnapshot(blob, meta, (id, events) => visited.push([id, events]))).toEqual(head);
    expect(visited).toEqual(Object.entries(epg));
    const broken = await encodeSnapshot({ ...hostile, epg: { ...epg, 'zz-9': [] } });
    await expect(
      scanStoredSnapshot(broken, { ...meta, digest: undefined }, () => undefined),
    ).rejects.toMatchObject({ code: ErrorCode.SnapshotInvalid });
  });

  it('reads the guide of stored bytes back one channel at a time, in stored order, in either layout', async () => {
    const entries = async (blob: Uint8Array) => {
      const read: [string, unknown][] = [];
      for await (const [id, events] of readStoredGuide(blob)) read.push([id, events]);
      return read;
    };
    expect(await entries(await encodeSnapshot(hostile))).toEqual(Object.entries(hostile.epg));
    expect(await entries(gzipSync(JSON.stringify(hostile)))).toEqual(Object.entries(hostile.epg));
    expect(await entries(await encodeSnapshot(snapshot({})))).toEqual([]);
  });
});
