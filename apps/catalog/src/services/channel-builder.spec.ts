import { describe, expect, it } from 'vitest';
import { hashOfChannelId } from '@e2gate/contracts';
import { parseServiceRef, type ServiceInfo } from '@e2gate/openwebif';
import { buildChannels } from './channel-builder.js';
import { channelId, slugify } from './channel-identity.js';

function service(ref: string, name: string, extra: Partial<ServiceInfo> = {}): ServiceInfo {
  const parsed = parseServiceRef(ref)!;
  return { ref: parsed.normalized, parsed, kind: 'dvb', name, relay: false, ...extra };
}

const listing = (services: ServiceInfo[]) => ({
  services,
  skipped: { markers: 0, hidden: 0, directories: 0, invalid: 0, recordings: 0 },
});

describe('channel identity', () => {
  it('is a readable slug plus a hash of the reference, stable across renames', () => {
    const id = channelId('Das Erste HD', '1:0:19:283D:3FB:1:C00000:0:0:0:');
    expect(id).toMatch(/^das-erste-hd-[0-9a-f]{8}$/);
    expect(channelId('Das Erste HD', '1:0:19:283D:3FB:1:C00000:0:0:0:')).toBe(id);
    expect(hashOfChannelId(channelId('ARD', '1:0:19:283D:3FB:1:C00000:0:0:0:'))).toBe(hashOfChannelId(id));
  });

  it('folds umlauts and symbols', () => {
    expect(slugify('Bayerisches Fernsehen Süd')).toBe('bayerisches-fernsehen-sud');
    expect(slugify('Ö3 & Co')).toBe('o3-and-co');
    expect(slugify('"Quoted" Name, with comma')).toBe('quoted-name-with-comma');
    expect(slugify('Straße')).toBe('strasse');
  });
});

describe('buildChannels', () => {
  it('numbers channels across bouquets in order and merges duplicates', () => {
    const ard = service('1:0:19:283D:3FB:1:C00000:0:0:0:', 'Das Erste HD');
    const zdf = service('1:0:19:2B66:3F3:1:C00000:0:0:0:', 'ZDF HD');
    const orf = service('1:0:19:132F:3EF:1:C00000:0:0:0:', 'ORF1 HD');
    const result = buildChannels([
      { bouquet: { ref: 'b1', name: 'Favourites' }, listing: listing([ard, zdf]) },
      {
        bouquet: { ref: 'b2', name: 'Österreich' },
        listing: listing([orf, service('1:0:19:283d:3fb:1:c00000:0:0:0', 'Das Erste HD')]),
      },
    ]);
    expect(result.channels.map((c) => [c.name, c.number, c.bouquetIds.length])).toEqual([
      ['Das Erste HD', 1, 2],
      ['ZDF HD', 2, 1],
      ['ORF1 HD', 3, 1],
    ]);
    expect(result.bouquets.map((b) => [b.name, b.channelIds.length])).toEqual([
      ['Favourites', 2],
      ['Österreich', 2],
    ]);
    expect(result.channels[0]).toMatchObject({
      xmltvId: '283d-3fb-1-c00000.dvb',
      sid: 0x283d,
      hd: true,
      kind: 'dvb',
    });
  });

  it('uses the receiver LCN when present and free, numbering the rest around it', () => {
    const result = buildChannels([
      {
        bouquet: { ref: 'b1', name: 'All' },
        listing: listing([
          service('1:0:1:1:1:1:C00000:0:0:0:', 'A'),
          service('1:0:1:2:1:1:C00000:0:0:0:', 'B', { lcn: 1 }),
          service('1:0:1:3:1:1:C00000:0:0:0:', 'C', { lcn: 1 }),
          service('1:0:1:4:1:1:C00000:0:0:0:', 'D', { lcn: 3 }),
        ]),
      },
    ]);
    expect(result.channels.map((c) => [c.name, c.number])).toEqual([
      ['A', 2],
      ['B', 1],
      ['C', 4],
      ['D', 3],
    ]);
  });
});
