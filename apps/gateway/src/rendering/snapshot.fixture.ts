import {
  DEFAULT_SNAPSHOT_READ_LIMITS,
  encodeSnapshot,
  type CatalogSnapshot,
  type Channel,
  type EpgEvent,
} from '@e2gate/contracts';
import { SnapshotView } from '../services/snapshot-view.js';

/** A snapshot as the gateway holds it: stored as the catalog stores it, then read back and validated. */
export async function storedView(snapshot: CatalogSnapshot): Promise<SnapshotView> {
  const meta = { objectName: `fixture-${snapshot.version}`, version: snapshot.version };
  return SnapshotView.fromStored(await encodeSnapshot(snapshot), meta, DEFAULT_SNAPSHOT_READ_LIMITS);
}

/** A small snapshot with the text hazards real receivers send (quotes, commas, markup, DVB control codes). */
export function hostileSnapshot(): CatalogSnapshot {
  const channel = (number: number, name: string, extra: Partial<Channel> = {}): Channel => ({
    id: `ch${number}-0000000${number}`,
    xmltvId: `${number.toString(16)}-3fb-1-c00000.dvb`,
    number,
    name,
    ref: `1:0:19:${number.toString(16)}:3FB:1:C00000:0:0:0:`,
    kind: 'dvb',
    sid: number,
    serviceType: 0x19,
    hd: true,
    bouquetIds: ['fav-1'],
    picon: `${number.toString(16)}-3fb-1-c00000`,
    ...extra,
  });
  const channels = [
    channel(3, 'Sport, "Live" & <More>'),
    channel(1, 'Das Erste HD'),
    channel(2, 'Evil\n#EXTINF:-1,Injected\nhttp://evil.example/x', { picon: null }),
    channel(4, 'No EPG'),
    channel(5, 'Radio \u0086Eins\u0087', { serviceType: 2, bouquetIds: ['radio-2'] }),
  ];
  const event = (id: number, start: number, title: string, extra: Partial<EpgEvent> = {}): EpgEvent => ({
    id,
    start,
    stop: start + 1800,
    title,
    ...extra,
  });
  const t0 = 1_800_000_000;
  return {
    schema: 1,
    version: 'f1f1f1f1',
    createdAt: new Date(t0 * 1000).toISOString(),
    epgWindow: { from: t0, to: t0 + 86_400 },
    receiver: { brand: 'Vu+', model: 'Uno 4K', imageVersion: 'x', webifVersion: 'y', tuners: 2 },
    bouquets: [
      { id: 'fav-1', name: 'Favoriten "TV"', ref: 'b1', channelIds: channels.slice(0, 4).map((c) => c.id) },
      { id: 'radio-2', name: 'Radio, Musik', ref: 'b2', channelIds: [channels[4]!.id] },
    ],
    channels,
    epg: {
      [channels[0]!.id]: [
        event(1, t0, 'Fußball & "Tore"', {
          subtitle: 'Runde <1>',
          description: 'Zeile eins\u008aZeile zwei \u0086betont\u0087 \ufffd Ende',
          genre: 'Fußball',
          genreId: 0x43,
        }),
        event(2, t0 + 1800, '   '),
        event(3, t0 + 3600, 'Nachrichten', { subtitle: 'Nachrichten', genre: 'Nachrichten', genreId: 0x21 }),
      ],
      [channels[1]!.id]: [event(4, t0, 'Tagesschau', { description: '' })],
      [channels[2]!.id]: [event(5, t0, 'Evil\n</title><title>x')],
      [channels[3]!.id]: [],
      [channels[4]!.id]: [event(6, t0, 'Musik', { genreId: 0x60 })],
    },
    partialFailures: [],
    counts: { bouquets: 2, channels: 5, events: 7, channelsWithEpg: 4, picons: 4 },
  };
}
