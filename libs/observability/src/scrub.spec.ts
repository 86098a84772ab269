import { describe, expect, it } from 'vitest';
import { redactUrl, scrubSecrets } from './scrub.js';

const KEY = 'abcdefghijklmnopqrstuvwxyz012345';
const encoded = (text: string) =>
  [...Buffer.from(text)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');

describe('scrubSecrets', () => {
  it.each([
    [
      'GET /playlist.m3u?token=abcdefghijklmnop1234&bouquet=1',
      'GET /playlist.m3u?token=[redacted]&bouquet=1',
    ],
    ['/stream/x?exp=1&sig=deadbeef', '/stream/x?exp=1&sig=[redacted]'],
    ['authorization: Bearer e2g_abcdef123456', 'authorization: Bearer [redacted]'],
    ['Basic cm9vdDpodW50ZXIy', 'Basic [redacted]'],
    ['http://root:hunter2@192.168.1.20/api', 'http://[redacted]@192.168.1.20/api'],
    [`GET /hdhr/${KEY}/lineup.json`, 'GET /hdhr/[redacted]/lineup.json'],
    // Names as Fastify decodes them: percent-encoded, mixed case, `+` for space.
    ['/playlist.m3u?%74oken=secret-secret-1', '/playlist.m3u?%74oken=[redacted]'],
    ['/playlist.m3u?TOKEN=secret-secret-1&bouquet=2', '/playlist.m3u?TOKEN=[redacted]&bouquet=2'],
    ['/picons/a.png?%73%69%67=abc', '/picons/a.png?%73%69%67=[redacted]'],
    ['/stream/x?exp=1&%73ig=abc', '/stream/x?exp=1&%73ig=[redacted]'],
    ['/x?api%5Fkey=abc', '/x?api%5Fkey=[redacted]'],
    [`/hdhr/%41${KEY.slice(1)}/discover.json`, '/hdhr/[redacted]/discover.json'],
    [`/hdhr/${encoded(KEY)}/lineup.json`, '/hdhr/[redacted]/lineup.json'],
    [`/%68dhr/${KEY}/lineup.json`, '/%68dhr/[redacted]/lineup.json'],
    [`/HDHR/${KEY}/lineup.json`, '/HDHR/[redacted]/lineup.json'],
    [`/hdhr%2F${KEY}/lineup.json`, '/hdhr%2F[redacted]/lineup.json'],
  ])('%s', (input, expected) => expect(scrubSecrets(input)).toBe(expected));

  it('leaves ordinary text and route patterns alone', () => {
    for (const line of [
      '{"msg":"refresh done","channels":1500,"url":"/api/v1/channels?bouquet=Sport"}',
      'Mapped {/hdhr/:key/lineup.json, GET} route',
      '/api/v1/epg?channel=a-1,b-2&from=1&to=2',
    ])
      expect(scrubSecrets(line)).toBe(line);
  });
});

describe('redactUrl', () => {
  it.each([
    ['/playlist.m3u?token=s3cret&bouquet=Sport', '/playlist.m3u?token=[redacted]&bouquet=Sport'],
    ['/playlist.m3u?%74oken=s3cret', '/playlist.m3u?%74oken=[redacted]'],
    ['/playlist.m3u?%54%4F%4B%45%4E=s3cret', '/playlist.m3u?%54%4F%4B%45%4E=[redacted]'],
    ['/playlist.m3u?to%6Ben=s3cret&to%6Ben=again', '/playlist.m3u?to%6Ben=[redacted]&to%6Ben=[redacted]'],
    ['/stream/x?exp=1&%73ig=abc&transcode=heavy', '/stream/x?exp=1&%73ig=[redacted]&transcode=heavy'],
    ['/x?%zz=1&sig', '/x?%zz=1&sig'],
    [`/hdhr/${KEY}/lineup.json?scan=start`, '/hdhr/[redacted]/lineup.json?scan=start'],
    [`/hdhr/%41${KEY.slice(1)}/lineup.json`, '/hdhr/[redacted]/lineup.json'],
    [`/%68%64%68%72/${encoded(KEY)}/device.xml`, '/%68%64%68%72/[redacted]/device.xml'],
    [`/hdhr%2f${KEY}/device.xml`, '/hdhr/[redacted]/device.xml'],
    ['/api/v1/channels?limit=10', '/api/v1/channels?limit=10'],
    // What users type is logged as its length (characters as the server decodes them), never its content.
    ['/api/v1/epg/search?q=Tatort+M%C3%BCnster&limit=5', '/api/v1/epg/search?q=[14 characters]&limit=5'],
    ['/api/v1/epg/search?%71=my%20own%20words', '/api/v1/epg/search?%71=[12 characters]'],
    ['/api/v1/epg/search?q=', '/api/v1/epg/search?q=[0 characters]'],
    ['/%', '/%'],
  ])('%s', (input, expected) => expect(redactUrl(input)).toBe(expected));
});
