import { describe, expect, it } from 'vitest';
import type { Channel, EpgEvent } from '@e2gate/contracts';
import { mergeEpg } from './epg-merge.js';

const channel = (id: string, kind: Channel['kind'] = 'dvb'): Channel => ({
  id,
  xmltvId: `${id}.dvb`,
  number: 1,
  name: id,
  ref: `1:0:19:${id.length}:3FB:1:C00000:0:0:0:`,
  kind,
  sid: 1,
  serviceType: 0x19,
  hd: true,
  bouquetIds: [],
  picon: null,
});
const event = (id: number, start: number, stop: number): EpgEvent => ({ id, start, stop, title: `T${id}` });

const NOW = 10_000;
const window = { from: NOW, to: NOW + 7 * 86_400 };
const previous = {
  createdAt: new Date((NOW - 3600) * 1000).toISOString(),
  epg: {
    a: [event(1, NOW - 7200, NOW - 3600), event(2, NOW - 600, NOW + 600), event(3, NOW + 600, NOW + 1200)],
    b: [event(10, NOW, NOW + 600)],
    gone: [event(20, NOW, NOW + 600)],
  },
  epgFreshness: { a: NOW - 90_000 },
};

describe('mergeEpg', () => {
  it('keeps the guide a channel had when its EPG could not be read: events not yet ended, and when they were read', () => {
    const merged = mergeEpg({
      channels: [channel('a'), channel('b')],
      fetched: new Map([['b', [event(11, NOW, NOW + 900)]]]),
      fetchedAt: NOW,
      previous,
      window,
    });
    expect(merged.epg['a']!.map((e) => e.id)).toEqual([2, 3]);
    expect(merged.freshness['a']).toBe(NOW - 90_000);
    expect(merged.epg['b']!.map((e) => e.id)).toEqual([11]);
    expect(merged.freshness['b']).toBe(NOW);
    expect(merged.carried).toBe(1);
    expect(merged.epg['gone']).toBeUndefined();
  });

  it('takes an empty read as "no EPG" and never carries over for it', () => {
    const merged = mergeEpg({
      channels: [channel('a')],
      fetched: new Map([['a', []]]),
      fetchedAt: NOW,
      previous,
      window,
    });
    expect(merged.epg).toEqual({});
    expect(merged.freshness).toEqual({ a: NOW });
    expect(merged.carried).toBe(0);
  });

  it('uses now/next for a channel not read yet when nothing better was served', () => {
    const nowNext = new Map([['c', [event(30, NOW - 60, NOW + 60), event(31, NOW + 60, NOW + 120)]]]);
    const merged = mergeEpg({
      channels: [channel('c'), channel('i', 'iptv')],
      fetched: new Map(),
      fetchedAt: NOW,
      nowNext,
      previous: null,
      window,
    });
    expect(merged.epg['c']!.map((e) => e.id)).toEqual([30, 31]);
    expect(merged.freshness['c']).toBeUndefined();
    expect(merged.carried).toBe(0);
    expect(Object.keys(merged.epg)).toEqual(['c']);
  });
});
