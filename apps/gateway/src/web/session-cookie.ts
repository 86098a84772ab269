/** The web app's sign-in cookie: its name, how it is read from a `Cookie` header and how it is written. */

export const SESSION_COOKIE = 'e2gate_session';
/** 32 random bytes, base64url: anything else in the cookie is not one of ours and is ignored. */
const SESSION_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The session cookie's value in a `Cookie` header, or undefined (absent or malformed). */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(separator + 1).trim();
    if (SESSION_VALUE.test(value)) return value;
  }
  return undefined;
}

/**
 * `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it), `Path=/` (playlists, segments
 * and picons are fetched with it), `Secure` when the browser reached us over HTTPS; expires with the session.
 */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** Tells the browser to drop the cookie (sign-out, or a session that is no longer known). */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure).replace(
    'Max-Age=0',
    'Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
  );
}

export function isSessionValue(value: string): boolean {
  return SESSION_VALUE.test(value);
}
