import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogSnapshot, Channel } from '@e2gate/contracts';
import { channelId } from './channel-identity.js';
import { SnapshotIndex } from './snapshot-index.js';
import { snapshotVersion } from './snapshot-version.js';
import { accentInsensitiveMatcher } from './text-match.js';

const ardId = channelId('Das Erste HD', 'ref-a');
const orfId = channelId('ORF1 HD', 'ref-b');
const channel = (id: string, name: string, number: number): Channel => ({
  id,
  xmltvId: `${number}.dvb`,
  number,
  name,
  ref: name,
  kind: 'dvb',
  sid: number,
  serviceType: 0x19,
  hd: true,
  bouquetIds: ['b'],
  picon: null,
});

const snapshot: CatalogSnapshot = {
  schema: 1,
  version: 'v1',
  createdAt: '2026-11-21T00:00:00.000Z',
  epgWindow: { from: 0, to: 10_000 },
  receiver: { brand: '', model: '', imageVersion: '', webifVersion: '', tuners: 2 },
  bouquets: [{ id: 'b', name: 'Favourites', ref: 'r', channelIds: [ardId, orfId] }],
  channels: [channel(ardId, 'Das Erste HD', 1), channel(orfId, 'ORF1 HD', 2)],
  epg: {
    [ardId]: [
      { id: 1, start: 1000, stop: 2000, title: 'Tagesschau', description: 'Nachrichten aus München' },
      { id: 2, start: 2000, stop: 3000, title: 'Tatort', subtitle: 'Straßenkampf' },
      { id: 3, start: 3500, stop: 4000, title: 'Tagesthemen' },
    ],
    [orfId]: [{ id: 10, start: 1500, stop: 2500, title: 'Zeit im Bild', description: 'Südtirol heute' }],
  },
  partialFailures: [],
  counts: { bouquets: 1, channels: 2, events: 4, channelsWithEpg: 2, picons: 0 },
};
const index = new SnapshotIndex(snapshot);
const ard = index.channel(ardId)!;

describe('SnapshotIndex', () => {
  it('resolves a renamed id by its hash', () => {
    const renamed = ardId.replace('das-erste-hd', 'ard');
    expect(index.channel(renamed)?.name).toBe('Das Erste HD');
    expect(index.channel('unknown-00000000')).toBeUndefined();
  });

  it('finds now and next, also in gaps and after the end', () => {
    expect(index.nowNext(ard, 1500)).toMatchObject({ now: { id: 1 }, next: { id: 2 } });
    expect(index.nowNext(ard, 2000)).toMatchObject({ now: { id: 2 }, next: { id: 3 } });
    expect(index.nowNext(ard, 3200)).toEqual({ next: expect.objectContaining({ id: 3 }) });
    expect(index.nowNext(ard, 5000)).toEqual({});
  });

  it('returns events overlapping a range', () => {
    expect(index.eventsBetween(ard, 1999, 3500).map((e) => e.id)).toEqual([1, 2]);
  });

  it('searches case- and accent-insensitively over title and descriptions, by start time', () => {
    expect(index.search('TAGES', { from: 0, to: 10_000, limit: 10 }).events.map((e) => e.id)).toEqual([1, 3]);
    expect(
      index.search('munchen', { from: 0, to: 10_000, limit: 10 }).events.map((e) => e.channelId),
    ).toEqual([ardId]);
    expect(index.search('strassenkampf', { from: 0, to: 10_000, limit: 10 }).events.map((e) => e.id)).toEqual(
      [2],
    );
    expect(index.search('SÜDTIROL', { from: 0, to: 10_000, limit: 10 }).events.map((e) => e.id)).toEqual([
      10,
    ]);
    expect(index.search('tages', { from: 0, to: 10_000, limit: 1 })).toMatchObject({ truncated: true });
    expect(index.search('tages', { from: 3000, to: 10_000, limit: 10 }).events.map((e) => e.id)).toEqual([3]);
  });
});

describe('accentInsensitiveMatcher', () => {
  it('accepts any query and finds printable ASCII text in itself', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: fc.constantFrom(...' -/.a*Z+?()[]{}|^$\\'.split('')), maxLength: 20 }),
        (any, ascii) => {
          accentInsensitiveMatcher(any);
          if (ascii.trim()) expect(accentInsensitiveMatcher(ascii)(`x ${ascii} y`)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('treats regex metacharacters literally', () => {
    expect(accentInsensitiveMatcher('c++ (live)')('Learning C++ (Live) today')).toBe(true);
    expect(accentInsensitiveMatcher('a.b')('axb')).toBe(false);
  });
});

describe('snapshotVersion', () => {
  it('depends on content only and changes with it', () => {
    const content = { bouquets: snapshot.bouquets, channels: snapshot.channels, epg: snapshot.epg };
    expect(snapshotVersion(content)).toBe(snapshotVersion(structuredClone(content)));
    const changed = structuredClone(content);
    changed.epg[ardId]![0]!.title = 'Tagesschau 20 Uhr';
    expect(snapshotVersion(changed)).not.toBe(snapshotVersion(content));
  });
});
