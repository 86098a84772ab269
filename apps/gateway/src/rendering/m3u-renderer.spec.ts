import { parseM3U } from '@iptv/playlist';
import { describe, expect, it } from 'vitest';
import { attribute, renderPlaylist } from './m3u-renderer.js';
import { hostileSnapshot } from './snapshot.fixture.js';

const options = {
  idMode: 'dvb' as const,
  guideUrl: 'http://gw/xmltv.xml?sig=abc',
  streamUrl: (channel: { id: string }) => `http://gw/stream/${channel.id}?sig=s&x=1`,
  logoUrl: (channel: { picon: string | null }) =>
    channel.picon ? `http://gw/picons/${channel.picon}.png` : null,
};

describe('renderPlaylist', () => {
  const snapshot = hostileSnapshot();
  const text = renderPlaylist(snapshot, options);

  it('has the guide URL in the header and one #EXTINF + URL per channel', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '#EXTM3U x-tvg-url="http://gw/xmltv.xml?sig=abc" url-tvg="http://gw/xmltv.xml?sig=abc"',
    );
    expect(lines).toHaveLength(1 + 2 * snapshot.channels.length);
    expect(lines.filter((line) => line.startsWith('#EXTINF'))).toHaveLength(snapshot.channels.length);
    expect(text).not.toContain('\r');
  });

  it('is read back by an independent parser with the expected ids, names, numbers, groups and logos', () => {
    const parsed = parseM3U(text);
    expect(parsed.headers?.xTvgUrl).toBe('http://gw/xmltv.xml?sig=abc');
    expect(parsed.channels.map((c) => [c.extras?.['tvg-chno'], c.tvgId, c.groupTitle, c.url])).toEqual([
      ['1', '1-3fb-1-c00000.dvb', "Favoriten 'TV'", 'http://gw/stream/ch1-00000001?sig=s&x=1'],
      ['2', '2-3fb-1-c00000.dvb', "Favoriten 'TV'", 'http://gw/stream/ch2-00000002?sig=s&x=1'],
      ['3', '3-3fb-1-c00000.dvb', "Favoriten 'TV'", 'http://gw/stream/ch3-00000003?sig=s&x=1'],
      ['4', '4-3fb-1-c00000.dvb', "Favoriten 'TV'", 'http://gw/stream/ch4-00000004?sig=s&x=1'],
      ['5', '5-3fb-1-c00000.dvb', 'Radio, Musik', 'http://gw/stream/ch5-00000005?sig=s&x=1'],
    ]);
    expect(parsed.channels[2]).toMatchObject({
      tvgName: `Sport, 'Live' & <More>`,
      name: `Sport\u201a 'Live' & <More>`,
      tvgLogo: 'http://gw/picons/3-3fb-1-c00000.png',
    });
    expect(parsed.channels[1]?.tvgLogo).toBeUndefined();
  });

  it('cannot be tricked into extra entries by a name with line breaks', () => {
    expect(text.match(/^#EXTINF/gm)).toHaveLength(5);
    expect(text).not.toMatch(/^http:\/\/evil/m);
    expect(text).toContain('tvg-name="Evil #EXTINF:-1,Injected http://evil.example/x"');
  });

  it('drops DVB emphasis codes and marks radio', () => {
    expect(text).toContain('tvg-name="Radio Eins"');
    expect(text).toContain('radio="true"');
    expect(text.match(/radio="true"/g)).toHaveLength(1);
  });

  it('filters by bouquet and groups under its name; number mode uses numbers as tvg-id', () => {
    const bouquet = snapshot.bouquets[1]!;
    const filtered = parseM3U(renderPlaylist(snapshot, { ...options, idMode: 'number', bouquet }));
    expect(filtered.channels.map((c) => [c.tvgId, c.groupTitle])).toEqual([['5', 'Radio, Musik']]);
  });

  it('never writes empty attributes', () => {
    expect(text).not.toMatch(/="[ ]*"/);
    expect(attribute(' a\t"b"\r\n ')).toBe("a 'b'");
  });
});
