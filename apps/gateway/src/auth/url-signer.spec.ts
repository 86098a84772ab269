import { describe, expect, it } from 'vitest';
import { expiryBucket, UrlSigner } from './url-signer.js';

const signer = new UrlSigner(Buffer.from('k'.repeat(32)));
const NOW = 1_800_000_000;

describe('UrlSigner', () => {
  it('verifies its own signatures, with and without expiry', () => {
    const sig = signer.sign('stream', '/stream/zdf-1b2c3d4e', null);
    expect(signer.verify('stream', '/stream/zdf-1b2c3d4e', sig, undefined, NOW)).toBe('valid');
    const timed = signer.sign('stream', '/stream/zdf-1b2c3d4e', NOW + 60);
    expect(signer.verify('stream', '/stream/zdf-1b2c3d4e', timed, String(NOW + 60), NOW)).toBe('valid');
  });

  it('binds scope, path, expiry and key', () => {
    const sig = signer.sign('stream', '/stream/a-00000000', NOW + 60);
    const exp = String(NOW + 60);
    expect(signer.verify('read', '/stream/a-00000000', sig, exp, NOW)).toBe('invalid');
    expect(signer.verify('stream', '/stream/b-00000000', sig, exp, NOW)).toBe('invalid');
    expect(signer.verify('stream', '/stream/a-00000000', sig, String(NOW + 61), NOW)).toBe('invalid');
    expect(signer.verify('stream', '/stream/a-00000000', sig, undefined, NOW)).toBe('invalid');
    const other = new UrlSigner(Buffer.from('j'.repeat(32)));
    expect(other.verify('stream', '/stream/a-00000000', sig, exp, NOW)).toBe('invalid');
  });

  it('reports expiry only for genuine signatures', () => {
    const sig = signer.sign('read', '/xmltv.xml', NOW - 1);
    expect(signer.verify('read', '/xmltv.xml', sig, String(NOW - 1), NOW)).toBe('expired');
    expect(signer.verify('read', '/xmltv.xml', 'x'.repeat(32), String(NOW - 1), NOW)).toBe('invalid');
  });

  it.each(['', 'short', 'A'.repeat(33), '%00'])('rejects malformed signature %j', (sig) => {
    expect(signer.verify('read', '/xmltv.xml', sig, undefined, NOW)).toBe('invalid');
  });

  it('rejects malformed expiry values', () => {
    const sig = signer.sign('read', '/xmltv.xml', null);
    for (const exp of ['-1', '1e9', 'abc', '9'.repeat(13)]) {
      expect(signer.verify('read', '/xmltv.xml', sig, exp, NOW)).toBe('invalid');
    }
  });

  it('writes query strings and a stable device key', () => {
    expect(signer.query('read', '/xmltv.xml', null)).toMatch(/^sig=[A-Za-z0-9_-]{32}$/);
    expect(signer.query('read', '/xmltv.xml', 5)).toMatch(/^exp=5&sig=[A-Za-z0-9_-]{32}$/);
    expect(signer.isDeviceKey(signer.deviceKey())).toBe(true);
    expect(signer.isDeviceKey(signer.deviceKey().replace(/^./, '_'))).toBe(false);
  });
});

describe('expiryBucket', () => {
  it('is null without a lifetime', () => expect(expiryBucket(NOW, null)).toBeNull());

  it('lies between now + ttl and now + ttl + ttl/4, and is stable within a bucket', () => {
    const ttlMs = 24 * 3600_000;
    const exp = expiryBucket(NOW, ttlMs)!;
    expect(exp).toBeGreaterThanOrEqual(NOW + 86_400);
    expect(exp).toBeLessThanOrEqual(NOW + 86_400 + 21_600);
    expect(exp % 21_600).toBe(0);
    const start = 21_600 * 100_000 - 86_400 + 1;
    expect(expiryBucket(start, ttlMs)).toBe(21_600 * 100_001);
    expect(expiryBucket(start + 21_599, ttlMs)).toBe(21_600 * 100_001);
    expect(expiryBucket(start + 21_600, ttlMs)).toBe(21_600 * 100_002);
  });
});
