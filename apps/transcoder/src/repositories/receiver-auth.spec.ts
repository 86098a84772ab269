import { describe, expect, it } from 'vitest';
import { takeBasicAuth } from './receiver-auth.js';

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('takeBasicAuth', () => {
  it("takes the URL's own credentials first and removes them from the URL", () => {
    const url = new URL('http://root:p%40ss@box:8001/1:0:19:283D');
    expect(takeBasicAuth(url, { user: 'other', password: 'x' })).toBe(basic('root:p@ss'));
    expect(url.href).toBe('http://box:8001/1:0:19:283D');
  });

  it('falls back to the configured credentials, and to none', () => {
    expect(takeBasicAuth(new URL('http://box/file'), { user: 'root', password: '' })).toBe(basic('root:'));
    expect(takeBasicAuth(new URL('http://box/file'), null)).toBeUndefined();
  });
});
