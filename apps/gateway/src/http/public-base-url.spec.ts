import { describe, expect, it } from 'vitest';
import { publicBaseUrl } from './public-base-url.js';

describe('publicBaseUrl', () => {
  it('prefers the configured public URL', () => {
    expect(publicBaseUrl('https://tv.example.org/e2gate', 'http', 'evil.example')).toBe(
      'https://tv.example.org/e2gate',
    );
  });

  it.each([
    ['http', '192.168.1.50:8080', 'http://192.168.1.50:8080'],
    ['https', 'TV.Example.org', 'https://tv.example.org'],
    ['http', '[::1]:8080', 'http://[::1]:8080'],
  ])('falls back to %s://%s', (protocol, host, expected) =>
    expect(publicBaseUrl(undefined, protocol, host)).toBe(expected),
  );

  it.each([undefined, '', 'a b', 'x"onerror=', 'host/path', 'h:port', `${'a'.repeat(300)}`])(
    'rejects Host %j (it would end up in playlists)',
    (host) => expect(() => publicBaseUrl(undefined, 'http', host)).toThrow(/Host/),
  );
});
