import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './scrub.js';

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
    ['GET /hdhr/abcdefghijklmnopqrstuvwxyz012345/lineup.json', 'GET /hdhr/[redacted]/lineup.json'],
  ])('%s', (input, expected) => expect(scrubSecrets(input)).toBe(expected));

  it('leaves ordinary text alone', () => {
    const line = '{"msg":"refresh done","channels":1500,"url":"/api/v1/channels?bouquet=Sport"}';
    expect(scrubSecrets(line)).toBe(line);
  });
});
