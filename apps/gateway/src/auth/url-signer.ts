import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedScope = 'read' | 'stream';
export type SignatureCheck = 'valid' | 'invalid' | 'expired';

const SIG_LENGTH = 32; // base64url characters = 192 bits of HMAC-SHA256
const EXP = /^\d{1,12}$/;

/**
 * HMAC-SHA256 signatures for URLs the gateway writes into playlists, guides and lineups: a signature binds a
 * scope, the request path and an optional expiry (epoch seconds), so a leaked URL opens that one resource only.
 */
export class UrlSigner {
  constructor(private readonly key: Buffer) {}

  sign(scope: SignedScope, path: string, exp: number | null): string {
    return createHmac('sha256', this.key)
      .update(`e2gate-url-v1\n${scope}\n${path}\n${exp ?? '-'}`)
      .digest('base64url')
      .slice(0, SIG_LENGTH);
  }

  /** The query string (without `?`) that authorises `path` for `scope`. */
  query(scope: SignedScope, path: string, exp: number | null): string {
    const sig = this.sign(scope, path, exp);
    return exp === null ? `sig=${sig}` : `exp=${exp}&sig=${sig}`;
  }

  verify(
    scope: SignedScope,
    path: string,
    sig: string,
    exp: string | undefined,
    nowSeconds: number,
  ): SignatureCheck {
    if (exp !== undefined && !EXP.test(exp)) return 'invalid';
    const expected = Buffer.from(this.sign(scope, path, exp === undefined ? null : Number(exp)));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    if (exp !== undefined && Number(exp) < nowSeconds) return 'expired';
    return 'valid';
  }

  /** The capability in `/hdhr/<key>/…`: grants the HDHomeRun routes (and their signed stream URLs). */
  deviceKey(): string {
    return this.sign('stream', '/hdhr', null);
  }

  isDeviceKey(candidate: string): boolean {
    const expected = Buffer.from(this.deviceKey());
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/**
 * Expiry written into signed URLs: rounded up to a bucket (a quarter of the lifetime, at least a minute) so that a
 * rendered playlist stays byte-identical — and cacheable under one ETag — for the whole bucket.
 */
export function expiryBucket(nowSeconds: number, ttlMs: number | null): number | null {
  if (ttlMs === null) return null;
  const ttl = Math.ceil(ttlMs / 1000);
  const bucket = Math.max(60, Math.floor(ttl / 4));
  return Math.ceil((nowSeconds + ttl) / bucket) * bucket;
}
