import { E2gateError, ErrorCode } from '@e2gate/contracts';

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Base of absolute URLs: `E2GATE_PUBLIC_URL` when set; otherwise the request's own scheme and Host header (what
 * the client used to reach us — wrong behind NAT or a proxy that rewrites Host, hence the setting). The Host value
 * is validated: it ends up inside playlists.
 */
export function publicBaseUrl(
  configured: string | undefined,
  protocol: string,
  host: string | undefined,
): string {
  if (configured) return configured;
  if (!host || host.length > 255 || !HOST.test(host)) {
    throw new E2gateError(ErrorCode.BadRequest, 'missing or invalid Host header (set E2GATE_PUBLIC_URL)');
  }
  const scheme = protocol === 'https' ? 'https' : 'http';
  return `${scheme}://${host.toLowerCase()}`;
}
