import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dvbRef,
  iptvRef,
  parseRef,
  piconBaseName,
  piconCandidates,
  relayEmbeddedRef,
  relayInnerRef,
  serviceKey,
  snpName,
} from './refs.js';

const ORF1 = { serviceType: 0x19, sid: 0x132f, tsid: 0x3ef, onid: 1, namespace: 0xc00000 };

describe('service references', () => {
  it('prints DVB refs like Enigma2: decimal type/flags, uppercase hex, trailing colon', () => {
    expect(dvbRef(ORF1)).toBe('1:0:19:132F:3EF:1:C00000:0:0:0:');
    expect(dvbRef(ORF1, 512)).toBe('1:512:19:132F:3EF:1:C00000:0:0:0:');
  });

  it('gives one identity to every spelling of the same service', () => {
    const key = serviceKey(dvbRef(ORF1));
    expect(key).not.toBeNull();
    for (const spelling of [
      '1:0:19:132f:3ef:1:c00000:0:0:0:',
      '1:0:19:132F:3EF:1:C00000:0:0:0',
      '1%3a0%3a19%3a132F%3a3EF%3a1%3aC00000%3a0%3a0%3a0%3a',
      '1%253a0%253a19%253a132F%253a3EF%253a1%253aC00000%253a0%253a0%253a0%253a',
      '1:512:19:132F:3EF:1:C00000:0:0:0:',
      relayEmbeddedRef(ORF1, 'ORF1 HD'),
    ]) {
      expect(serviceKey(spelling), spelling).toBe(key);
    }
  });

  it('has no service identity for markers, directories and IPTV', () => {
    expect(serviceKey('1:64:1:0:0:0:0:0:0:0::--- News ---')).toBeNull();
    expect(serviceKey('1:7:1:0:0:0:0:0:0:0:FROM BOUQUET "userbouquet.x.tv" ORDER BY bouquet')).toBeNull();
    expect(serviceKey(iptvRef(4097, 'http://example.invalid/a.m3u8', 'X'))).toBeNull();
    expect(serviceKey('not a ref')).toBeNull();
  });

  it('embeds the relay URL with %3a and finds the inner ref again', () => {
    const ref = relayEmbeddedRef(ORF1, 'ORF1 HD');
    expect(ref).toBe(
      '1:0:19:132F:3EF:1:C00000:0:0:0:http%3a//127.0.0.1%3a17999/1%3a0%3a19%3a132F%3a3EF%3a1%3aC00000%3a0%3a0%3a0%3a:ORF1 HD',
    );
    expect(relayInnerRef(ref)).toBe(dvbRef(ORF1));
    expect(relayInnerRef(dvbRef(ORF1))).toBeNull();
  });

  it('parses the URL and name fields of IPTV refs', () => {
    const parsed = parseRef(iptvRef(5002, 'https://cdn.example.invalid/hls/x.m3u8', 'Stadt & Land'));
    expect(parsed).toMatchObject({
      type: 5002,
      flags: 0,
      path: 'https://cdn.example.invalid/hls/x.m3u8',
      name: 'Stadt & Land',
    });
  });

  it('round-trips any DVB triplet through print and identity', () => {
    const triplet = fc.record({
      serviceType: fc.constantFrom(1, 0x16, 0x19, 0x1f, 2),
      sid: fc.integer({ min: 1, max: 0xffff }),
      tsid: fc.integer({ min: 0, max: 0xffff }),
      onid: fc.integer({ min: 0, max: 0xffff }),
      namespace: fc.integer({ min: 0, max: 0xffffffff }),
    });
    fc.assert(
      fc.property(triplet, (service) => {
        const ref = dvbRef(service);
        expect(ref).toMatch(/^1:0:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:0:0:0:$/);
        expect(serviceKey(ref.toLowerCase())).toBe(serviceKey(ref));
        const fields = ref.split(':');
        expect(Number.parseInt(fields[3]!, 16)).toBe(service.sid);
      }),
    );
  });
});

describe('picon names (openwebif.md §6)', () => {
  it('joins the first ten fields with underscores', () => {
    expect(piconBaseName('1:0:19:283D:3FB:1:C00000:0:0:0:')).toBe('1_0_19_283D_3FB_1_C00000_0_0_0');
  });

  it('folds names to snp form', () => {
    expect(snpName('Das Erste HD')).toBe('daserstehd');
    expect(snpName('Ö3 & Co')).toBe('o3andco');
    expect(snpName('ORF Sport + HD')).toBe('orfsportplushd');
    expect(snpName('"Quoted" Name, with comma')).toBe('quotednamewithcomma');
  });

  it('tries the chain in order: exact, namespace, service type, utf8snp, snp, snp without hd', () => {
    const candidates = piconCandidates('1:0:19:283D:3FB:1:C00A2E:0:0:0:', 'Das Erste HD');
    expect(candidates).toEqual([
      { file: '1_0_19_283D_3FB_1_C00A2E_0_0_0', step: 'exact' },
      { file: '1_0_19_283D_3FB_1_C00000_0_0_0', step: 'namespace' },
      { file: '1_0_1_283D_3FB_1_C00000_0_0_0', step: 'service-type' },
      { file: 'das erste hd', step: 'utf8snp' },
      { file: 'daserstehd', step: 'snp' },
      { file: 'daserste', step: 'snp-without-hd' },
    ]);
  });

  it('tries the name first for URL refs and maps IPTV types to 1', () => {
    const candidates = piconCandidates(iptvRef(4097, 'http://example.invalid/x', 'Web TV HD'), 'Web TV HD');
    expect(candidates.slice(0, 2)).toEqual([
      { file: 'webtvhd', step: 'name-snp' },
      { file: 'webtv', step: 'name-snp' },
    ]);
    expect(candidates.find((candidate) => candidate.step === 'type')?.file).toBe('1_0_1_0_0_0_0_0_0_0');
  });
});
