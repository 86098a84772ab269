import { describe, expect, it } from 'vitest';
import type { Channel, EpgEvent } from '@e2gate/contracts';
import { buildSnapshot } from './snapshot-builder.js';

const channel = (id: string, number: number): Channel => ({
  id,
  xmltvId: `${id}.dvb`,
  number,
  name: `Channel ${number}`,
  ref: '1:0:19:283D:3FB:1:C00000:0:0:0:',
  kind: 'dvb',
  sid: number,
  serviceType: 0x19,
  hd: true,
  bouquetIds: ['b'],
  picon: null,
});

const events = (title: string): EpgEvent[] => [{ id: 1, start: 100, stop: 200, title }];

describe('buildSnapshot', () => {
  it('keys the guide in channel-number order (readers render it from the stored order)', () => {
    // Bouquet order is not number order once logical channel numbers are honoured.
    const channels = [channel('c-1', 7), channel('a-2', 2), channel('b-3', 30), channel('d-4', 1)];
    const { snapshot } = buildSnapshot(
      {
        receiver: { brand: 'Vu+', model: 'Uno 4K', imageVersion: '7.6', webifVersion: '2.2', tuners: 4 },
        bouquets: [{ id: 'b', name: 'B', ref: 'r', channelIds: channels.map((c) => c.id) }],
        channels,
        guide: {
          epg: { 'c-1': events('seven'), 'b-3': events('thirty'), 'd-4': events('one') },
          freshness: {},
          carried: 0,
        },
        epgWindow: { from: 0, to: 1000 },
        partialFailures: [],
        epgLoading: false,
      },
      new Map(),
      new Date('2026-12-06T00:00:00Z'),
      null,
    );
    expect(Object.keys(snapshot.epg)).toEqual(['d-4', 'c-1', 'b-3']);
    expect(snapshot.counts.events).toBe(3);
  });
});
