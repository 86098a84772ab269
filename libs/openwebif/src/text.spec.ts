import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanEpgText, cleanName, decodeBody, unescapeHtml } from './text.js';

describe('decodeBody', () => {
  it('keeps valid UTF-8', () => {
    expect(decodeBody(Buffer.from('Österreich', 'utf8'))).toEqual({ text: 'Österreich', latin1: false });
  });

  it('repairs Latin-1 bytes sent as UTF-8', () => {
    expect(decodeBody(Buffer.from('Bayerisches Fernsehen Süd', 'latin1'))).toEqual({
      text: 'Bayerisches Fernsehen Süd',
      latin1: true,
    });
  });
});

describe('EPG text', () => {
  it('unescapes entities, strips DVB controls and keeps line breaks', () => {
    expect(
      cleanEpgText('Nachrichten &amp; Wetter\u0086 mit &quot;Extra&quot;\u0087\u008aTeil&#x27;2&#39;'),
    ).toBe('Nachrichten & Wetter mit "Extra"\nTeil\'2\'');
  });

  it('leaves unknown entities alone', () => {
    expect(unescapeHtml('AT&T &bogus; &#xZZ;')).toBe('AT&T &bogus; &#xZZ;');
  });

  it('cleans names to one line', () => {
    expect(cleanName('  Das\u0086 Erste\nHD ')).toBe('Das Erste HD');
  });

  it('never throws and never leaves C1 controls', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(cleanEpgText(text)).not.toMatch(/[\u0080-\u009f]/);
      }),
      { numRuns: 2000 },
    );
  });
});
