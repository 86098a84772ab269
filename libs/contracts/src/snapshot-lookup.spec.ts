import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bouquet, Channel } from './catalog-snapshot.js';
import { hashOfChannelId } from './channel-id.js';
import { SnapshotLookup } from './snapshot-lookup.js';

const channel = (id: string): Channel => ({
  id,
  xmltvId: `${id}.dvb`,
  number: 1,
  name: id,
  ref: id,
  kind: 'dvb',
  sid: 1,
  serviceType: 0x19,
  hd: true,
  bouquetIds: [],
  picon: null,
});
const bouquet = (id: string, name: string): Bouquet => ({ id, name, ref: id, channelIds: [] });
const lookup = (channelIds: string[], bouquets: Bouquet[] = []) =>
  new SnapshotLookup({ channels: channelIds.map(channel), bouquets });

describe('hashOfChannelId', () => {
  it('is the 8 hex digits after the slug, also of an id the catalog lengthened after a collision', () => {
    expect(hashOfChannelId('das-erste-hd-3f9a2c01')).toBe('3f9a2c01');
    expect(hashOfChannelId('das-erste-hd-3f9a2c01beef')).toBe('3f9a2c01');
    expect(hashOfChannelId('3sat-hd')).toBeNull();
    expect(hashOfChannelId('arte-3f9a2c0')).toBeNull();
  });
});

describe('SnapshotLookup.channel', () => {
  const index = lookup(['das-erste-hd-3f9a2c01', 'zdf-hd-0b1c2d3e']);

  it('finds a channel by id, and by the hash of an id it had before a rename', () => {
    expect(index.channel('zdf-hd-0b1c2d3e')?.id).toBe('zdf-hd-0b1c2d3e');
    expect(index.channel('ard-3f9a2c01')?.id).toBe('das-erste-hd-3f9a2c01');
  });

  it('finds nothing for an unknown hash or an id without one', () => {
    expect(index.channel('das-erste-hd-00000000')).toBeUndefined();
    expect(index.channel('das-erste-hd')).toBeUndefined();
    expect(index.channel('')).toBeUndefined();
  });

  it('resolves a hash two channels share to neither, in any order, while their own ids still resolve', () => {
    const ids = ['ard-3f9a2c01', 'zdf-3f9a2c01', 'arte-3f9a2c01beef'];
    for (const order of [ids, [...ids].reverse()]) {
      const shared = lookup(order);
      expect(shared.channel('das-erste-3f9a2c01')).toBeUndefined();
      expect(shared.channel('arte-hd-3f9a2c01beef')).toBeUndefined();
      for (const id of ids) expect(shared.channel(id)?.id).toBe(id);
    }
  });

  it('answers an id with itself, the one channel carrying its hash, or nothing', () => {
    const hex = fc.constantFrom('00000000', '3f9a2c01', '3f9a2c01beef', '0b1c2d3e');
    const id = fc.tuple(fc.constantFrom('ard', 'zdf', 'arte'), hex).map(([slug, hash]) => `${slug}-${hash}`);
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 6 }), id, (ids, wanted) => {
        const found = lookup(ids).channel(wanted);
        const sameHash = ids.filter((other) => hashOfChannelId(other) === hashOfChannelId(wanted));
        if (ids.includes(wanted)) expect(found?.id).toBe(wanted);
        else if (sameHash.length === 1) expect(found?.id).toBe(sameHash[0]);
        else expect(found).toBeUndefined();
      }),
    );
  });
});

describe('SnapshotLookup.bouquet', () => {
  const index = lookup(
    [],
    [
      bouquet('favourites-1a2b3c4d', 'Favourites'),
      bouquet('sport-5e6f7a8b', 'Sport'),
      bouquet('sport-9c0d1e2f', 'SPORT'),
      bouquet('news-aaaa0001', 'News'),
      bouquet('news-aaaa0002', 'News'),
      bouquet('tricky-bbbb0001', 'sport-5e6f7a8b'),
    ],
  );

  it('finds a bouquet by id before any name', () => {
    expect(index.bouquet('sport-9c0d1e2f')?.name).toBe('SPORT');
    expect(index.bouquet('sport-5e6f7a8b')?.name).toBe('Sport');
  });

  it('finds a bouquet by name ignoring case, an exact match first', () => {
    expect(index.bouquet('favourites')?.id).toBe('favourites-1a2b3c4d');
    expect(index.bouquet('FAVOURITES')?.id).toBe('favourites-1a2b3c4d');
    expect(index.bouquet('SPORT')?.id).toBe('sport-9c0d1e2f');
    expect(index.bouquet('Sport')?.id).toBe('sport-5e6f7a8b');
    expect(index.bouquet('sport')?.id).toBe('sport-5e6f7a8b');
  });

  it('takes the first in snapshot order among bouquets of the same name', () => {
    expect(index.bouquet('News')?.id).toBe('news-aaaa0001');
    expect(index.bouquet('news')?.id).toBe('news-aaaa0001');
  });

  it('finds nothing for an unknown key', () => {
    expect(index.bouquet('Kids')).toBeUndefined();
    expect(index.bouquet('')).toBeUndefined();
  });
});
