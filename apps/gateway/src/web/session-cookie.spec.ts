import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, sessionCookie, sessionCookieOf } from './session-cookie.js';

const VALUE = 'a'.repeat(43);

describe('session cookie', () => {
  it('is found among other cookies and ignored when malformed', () => {
    expect(sessionCookieOf(`theme=dark; e2gate_session=${VALUE}; x=1`)).toBe(VALUE);
    expect(sessionCookieOf(`e2gate_session=${VALUE}x`)).toBeUndefined();
    expect(sessionCookieOf('e2gate_session=short')).toBeUndefined();
    expect(sessionCookieOf(`other_e2gate_session=${VALUE}`)).toBeUndefined();
    expect(sessionCookieOf(undefined)).toBeUndefined();
    expect(sessionCookieOf('garbage;;=;')).toBeUndefined();
  });

  it('is HttpOnly, SameSite=Strict, on every path, Secure only over HTTPS', () => {
    expect(sessionCookie(VALUE, 60, false)).toBe(
      `e2gate_session=${VALUE}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict`,
    );
    expect(sessionCookie(VALUE, 60, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toMatch(
      /^e2gate_session=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970/,
    );
  });
});
