import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { piconCandidates, snpName } from './picon-names.js';
import {
  classifyRef,
  embeddedUrl,
  isRelayRef,
  parseServiceRef,
  refIdentity,
  xmltvIdFor,
} from './service-ref.js';

describe('parseServiceRef', () => {
  it('reads the DVB triplet and normalises case and the trailing colon', () => {
    const ref = parseServiceRef('1:0:19:283d:3fb:1:c00000:0:0:0')!;
    expect(ref).toMatchObject({
      type: 1,
      serviceType: 0x19,
      sid: 0x283d,
      tsid: 0x3fb,
      onid: 1,
      namespace: 0xc00000,
    });
    expect(ref.normalized).toBe('1:0:19:283D:3FB:1:C00000:0:0:0:');
    expect(parseServiceRef('1:0:19:283D:3FB:1:C00000:0:0:0:')!.normalized).toBe(ref.normalized);
  });

  it.each([
    ['1:64:1:0:0:0:0:0:0:0::— News —', 'marker'],
    ['1:320:0:0:0:0:0:0:0:0::Numbered', 'marker'],
    ['1:832:1:0:0:0:0:0:0:0::', 'marker'],
    ['1:512:19:283D:3FB:1:C00000:0:0:0:', 'hidden'],
    ['1:7:1:0:0:0:0:0:0:0:FROM BOUQUET "userbouquet.sub.tv" ORDER BY bouquet', 'directory'],
    ['1:134:1:0:0:0:0:0:0:0:FROM BOUQUET "alternatives.x.tv" ORDER BY bouquet', 'alternatives'],
    ['4097:0:1:0:0:0:0:0:0:0:http%3a//host/live.m3u8:My Channel', 'iptv'],
    ['1:0:0:0:0:0:0:0:0:0:/media/hdd/movie/x.ts', 'recording'],
    ['1:0:19:283D:3FB:1:C00000:0:0:0:', 'dvb'],
    ['garbage', 'invalid'],
    ['1:0:zz:1:1:1:1:0:0:0:', 'invalid'],
  ])('classifies %s as %s', (raw, kind) => expect(classifyRef(parseServiceRef(raw))).toBe(kind));

  it('extracts IPTV URLs and names, and spots relay refs', () => {
    const iptv = parseServiceRef('4097:0:1:0:0:0:0:0:0:0:http%3a//host%3a8080/live.m3u8:My Channel')!;
    expect(embeddedUrl(iptv)).toBe('http://host:8080/live.m3u8');
    expect(iptv.name).toBe('My Channel');
    const relay = parseServiceRef(
      '1:0:19:283D:3FB:1:C00000:0:0:0:http%3a//127.0.0.1%3a17999/1%3a0%3a19%3a283D%3a3FB%3a1%3aC00000%3a0%3a0%3a0%3a:ORF1 HD',
    )!;
    expect(isRelayRef(relay)).toBe(true);
    expect(refIdentity(iptv)).not.toBe(
      refIdentity(parseServiceRef('4097:0:1:0:0:0:0:0:0:0:http%3a//other/x:Other')!),
    );
  });

  it('derives XMLTV ids that the validator accepts', () => {
    expect(xmltvIdFor(parseServiceRef('1:0:19:283D:3FB:1:C00000:0:0:0:')!)).toBe('283d-3fb-1-c00000.dvb');
    expect(xmltvIdFor(parseServiceRef('4097:0:1:0:0:0:0:0:0:0:http%3a//host/live.m3u8:X')!)).toMatch(
      /^iptv-[0-9a-f]{12}\.dvb$/,
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseServiceRef(text);
        expect([
          'dvb',
          'iptv',
          'marker',
          'hidden',
          'directory',
          'alternatives',
          'recording',
          'invalid',
        ]).toContain(classifyRef(parsed));
        if (parsed) expect(parsed.normalized.endsWith(':')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('piconCandidates', () => {
  it('follows the OpenWebIF fallback chain', () => {
    const raw = '1:0:19:283D:3FB:1:C00A2E:0:0:0:';
    const names = piconCandidates(parseServiceRef(raw)!, raw, 'Das Erste HD');
    expect(names).toEqual([
      '1_0_19_283D_3FB_1_C00A2E_0_0_0',
      '1_0_19_283D_3FB_1_C00000_0_0_0',
      '1_0_1_283D_3FB_1_C00000_0_0_0',
      'das erste hd',
      'daserstehd',
      'daserste',
    ]);
  });

  it('folds names the way Enigma2 does', () => {
    expect(snpName('Ö3 & Co+ *')).toBe('o3andcoplusstar');
  });
});
