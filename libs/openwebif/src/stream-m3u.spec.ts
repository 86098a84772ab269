import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEpgXml } from './epg-xml.js';
import { parseStreamM3u } from './stream-m3u.js';

describe('parseStreamM3u', () => {
  it('reads the OpenWebIF form with trailing spaces', () => {
    const text =
      '#EXTM3U \n#EXTVLCOPT:http-reconnect=true \n#EXTINF:-1,Das Erste HD\n#EXTVLCOPT:program=10301\nhttp://192.168.1.20:8001/1:0:19:283D:3FB:1:C00000:0:0:0:\n';
    expect(parseStreamM3u(text)).toEqual({
      url: 'http://192.168.1.20:8001/1:0:19:283D:3FB:1:C00000:0:0:0:',
      program: 10301,
      name: 'Das Erste HD',
    });
  });

  it('accepts a bare URL and rejects a playlist without one', () => {
    expect(parseStreamM3u('#EXTM3U\r\nhttp://box:17999/1:0:1:1:1:1:1:0:0:0:\r\n')).toEqual({
      url: 'http://box:17999/1:0:1:1:1:1:1:0:0:0:',
    });
    expect(parseStreamM3u('#EXTM3U\n#EXTINF:-1,x\n')).toBeNull();
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => void parseStreamM3u(text)),
      { numRuns: 2000 },
    );
  });
});

describe('parseEpgXml', () => {
  it('reads e2event elements and skips dummies', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><e2eventlist>
      <e2event><e2eventid>32845</e2eventid><e2eventstart>1763751600</e2eventstart><e2eventduration>900</e2eventduration>
      <e2eventtitle>Tagesschau</e2eventtitle><e2eventdescription></e2eventdescription>
      <e2eventdescriptionextended>Nachrichten &amp;amp; Wetter</e2eventdescriptionextended>
      <e2eventservicereference>1:0:19:283D:3FB:1:C00000:0:0:0:</e2eventservicereference><e2eventgenre id="32">News</e2eventgenre></e2event>
      <e2event><e2eventid>None</e2eventid><e2eventstart>0</e2eventstart></e2event></e2eventlist>`;
    expect(parseEpgXml(xml)).toEqual([
      {
        id: 32845,
        begin: 1763751600,
        durationSec: 900,
        title: 'Tagesschau',
        shortDescription: '',
        longDescription: 'Nachrichten & Wetter',
        genre: 'News',
        genreId: 32,
        ref: '1:0:19:283D:3FB:1:C00000:0:0:0:',
      },
    ]);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => void parseEpgXml(`<e2event>${text}</e2event>`)),
      {
        numRuns: 2000,
      },
    );
  });
});
