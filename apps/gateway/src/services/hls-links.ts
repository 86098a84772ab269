import { randomBytes } from 'node:crypto';
import { HttpEdgeErrorCode } from '@e2gate/contracts';
import type { UrlSigner } from '../auth/url-signer.js';
import { GatewayHttpError } from '../http/gateway-http-error.js';

/** Verified links remembered per replica (one per viewer); the memo starts over when full. */
const MAX_VERIFIED_LINKS = 10_000;

/** The capability a playlist link carries: one viewer of one session, until `exp`. */
export interface HlsLink {
  sessionId: string;
  viewer: string;
  exp: string;
  sig: string;
}

/**
 * Links inside HLS playlists. A player that cannot send headers (Safari, smart TVs, VLC) follows relative URIs, so
 * the capability lives in the path: `s/<sessionId>/<viewer>/<exp>/<sig>/`, an HMAC over session, viewer and expiry.
 * It opens that session's playlists and segments only, never the API; the API token never appears in a URL.
 */
export class HlsLinks {
  /** Links already verified, by their path part, to their expiry: a player asks with the same link every second. */
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly signer: UrlSigner,
    private readonly ttlMs: number,
  ) {}

  /** A fresh link base for a new viewer of `sessionId`, relative to `/hls/<channel>/index.m3u8`. */
  issue(sessionId: string, nowMs: number): { base: string; viewer: string } {
    const viewer = randomBytes(6).toString('hex');
    const exp = Math.ceil((nowMs + this.ttlMs) / 1000);
    const sig = this.signer.sign('stream', capabilityPath(sessionId, viewer), exp);
    return { base: `s/${sessionId}/${viewer}/${exp}/${sig}/`, viewer };
  }

  /** Throws 401 SIGNATURE_INVALID / SIGNATURE_EXPIRED unless the link is one this gateway (or a peer) issued. */
  verify(link: HlsLink, nowMs: number): void {
    const nowSeconds = Math.floor(nowMs / 1000);
    const key = `${link.sessionId}/${link.viewer}/${link.exp}/${link.sig}`;
    const exp = this.verified.get(key);
    if (exp !== undefined && exp >= nowSeconds) return;
    const check = this.signer.verify(
      'stream',
      capabilityPath(link.sessionId, link.viewer),
      link.sig,
      link.exp,
      nowSeconds,
    );
    if (check === 'expired') {
      throw new GatewayHttpError(
        HttpEdgeErrorCode.SignatureExpired,
        'this playlist link has expired: open the channel again',
      );
    }
    if (check !== 'valid')
      throw new GatewayHttpError(HttpEdgeErrorCode.SignatureInvalid, 'invalid playlist link');
    if (this.verified.size >= MAX_VERIFIED_LINKS) this.verified.clear();
    this.verified.set(key, Number(link.exp));
  }
}

function capabilityPath(sessionId: string, viewer: string): string {
  return `/hls-session/${sessionId}/${viewer}`;
}
