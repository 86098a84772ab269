import { describe, expect, it } from 'vitest';
import { HttpEdgeErrorCode } from '@e2gate/contracts';
import { UrlSigner } from '../auth/url-signer.js';
import { HlsLinks, type HlsLink } from './hls-links.js';

const NOW = 1_800_000_000_000;
const TTL_MS = 60_000;

function linkOf(base: string): HlsLink {
  const [, sessionId, viewer, exp, sig] = base.split('/');
  return { sessionId: sessionId!, viewer: viewer!, exp: exp!, sig: sig! };
}

function codeOf(action: () => void): string | null {
  try {
    action();
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('HlsLinks', () => {
  const links = new HlsLinks(new UrlSigner(Buffer.alloc(32, 7)), TTL_MS);

  it('accepts the links it issued, again and again', () => {
    const link = linkOf(links.issue('session-1', NOW).base);
    expect(codeOf(() => links.verify(link, NOW))).toBeNull();
    expect(codeOf(() => links.verify(link, NOW + 1_000))).toBeNull();
  });

  it('refuses a forged signature even after the genuine link was verified', () => {
    const link = linkOf(links.issue('session-1', NOW).base);
    links.verify(link, NOW);
    const forged = { ...link, sig: `${link.sig.startsWith('A') ? 'B' : 'A'}${link.sig.slice(1)}` };
    expect(codeOf(() => links.verify(forged, NOW))).toBe(HttpEdgeErrorCode.SignatureInvalid);
    expect(codeOf(() => links.verify({ ...link, sessionId: 'session-2' }, NOW))).toBe(
      HttpEdgeErrorCode.SignatureInvalid,
    );
  });

  it('refuses a verified link once it has expired', () => {
    const link = linkOf(links.issue('session-1', NOW).base);
    links.verify(link, NOW);
    expect(codeOf(() => links.verify(link, NOW + TTL_MS + 2_000))).toBe(HttpEdgeErrorCode.SignatureExpired);
  });
});
