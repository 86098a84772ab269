import { createHash } from 'node:crypto';

/**
 * Enigma2 service references: `type:flags:stype:SID:TSID:ONID:NS:parentSID:parentTSID:unused:[path|url]:[name]`
 * (openwebif reference §2). Enigma2 prints `type` and `flags` in decimal (`4097`, `832`) and the other eight
 * numeric fields in hex.
 */
export const RefFlag = {
  Directory: 0x7,
  Marker: 0x40,
  NumberedMarker: 0x100,
  Invisible: 0x200,
} as const;

export const IPTV_TYPES = new Set([4097, 5001, 5002]);

export type RefKind =
  'dvb' | 'iptv' | 'marker' | 'hidden' | 'directory' | 'alternatives' | 'recording' | 'invalid';

export interface ParsedServiceRef {
  type: number;
  flags: number;
  serviceType: number;
  sid: number;
  tsid: number;
  onid: number;
  namespace: number;
  /** Field 11: a recording path or a URL-encoded IPTV URL. */
  path: string;
  /** Field 12: a name (IPTV and markers). */
  name: string;
  /** The first ten fields, uppercase hex, joined with ':' and a trailing ':'. */
  normalized: string;
}

const HEX_FIELD = /^[0-9a-fA-F]{1,8}$/;
const DEC_FIELD = /^\d{1,10}$/;
const isDecimalField = (index: number) => index < 2;

/** Parses a reference; `null` when the ten numeric fields are not all hex. Accepts `%3a` for `:`. */
export function parseServiceRef(raw: string): ParsedServiceRef | null {
  const text = raw.trim().replace(/%3a/gi, ':');
  const fields = text.split(':');
  if (fields.length < 10) return null;
  const numeric = fields.slice(0, 10);
  if (!numeric.every((field, index) => (isDecimalField(index) ? DEC_FIELD : HEX_FIELD).test(field)))
    return null;
  const value = (index: number) => parseInt(numeric[index] as string, isDecimalField(index) ? 10 : 16);
  // Field 11 may itself contain ':' (URLs decoded from %3a); the name is what follows the last ':'.
  const rest = fields.slice(10);
  const name = rest.length >= 2 ? (rest[rest.length - 1] ?? '') : '';
  const path = rest.length >= 2 ? rest.slice(0, -1).join(':') : (rest[0] ?? '');
  return {
    type: value(0),
    flags: value(1),
    serviceType: value(2),
    sid: value(3),
    tsid: value(4),
    onid: value(5),
    namespace: value(6),
    path,
    name,
    normalized:
      numeric
        .map((field, index) =>
          isDecimalField(index)
            ? String(parseInt(field, 10))
            : parseInt(field, 16).toString(16).toUpperCase(),
        )
        .join(':') + ':',
  };
}

export function classifyRef(ref: ParsedServiceRef | null): RefKind {
  if (!ref) return 'invalid';
  if (ref.flags & RefFlag.Marker) return 'marker';
  if (ref.flags & RefFlag.Invisible) return 'hidden';
  if (ref.flags === 134) return 'alternatives';
  if ((ref.flags & RefFlag.Directory) === RefFlag.Directory) return 'directory';
  if (IPTV_TYPES.has(ref.type)) return 'iptv';
  if (ref.path.startsWith('/')) return 'recording';
  return 'dvb';
}

/**
 * Identity of a reference for comparisons: the normalised numeric fields of a DVB service (a relay URL or name
 * appended to it does not make another service), plus the path for IPTV refs and alternatives groups, whose
 * numeric fields are all zero.
 */
export function refIdentity(ref: ParsedServiceRef): string {
  const kind = classifyRef(ref);
  return kind === 'iptv' || kind === 'alternatives' || kind === 'directory'
    ? `${ref.normalized}${decodeIptvUrl(ref.path)}`
    : ref.normalized;
}

export function decodeIptvUrl(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Embedded upstream URL of an IPTV or stream-relay reference, if any. */
export function embeddedUrl(ref: ParsedServiceRef): string | undefined {
  if (!ref.path) return undefined;
  const url = decodeIptvUrl(ref.path);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : undefined;
}

/** True for refs whose stream goes through the 17999 stream relay (softcam). */
export function isRelayRef(ref: ParsedServiceRef): boolean {
  return /:\/\/127\.0\.0\.1:17999\//.test(embeddedUrl(ref) ?? '');
}

/** HD service types per openwebif reference §2 (0x11 MPEG-2 HD, 0x19 H.264 HD, 0x1F HEVC UHD). */
export function isHdServiceType(serviceType: number): boolean {
  return serviceType === 0x11 || serviceType === 0x19 || serviceType === 0x1f;
}

/** `283d-3fb-1-c00000.dvb`, or `iptv-<12 hex of sha256(url)>.dvb` (playlists reference §5). */
export function xmltvIdFor(ref: ParsedServiceRef): string {
  if (IPTV_TYPES.has(ref.type) || (ref.sid === 0 && ref.tsid === 0 && ref.onid === 0)) {
    const key = embeddedUrl(ref) ?? refIdentity(ref);
    return `iptv-${createHash('sha256').update(key.trim().toLowerCase()).digest('hex').slice(0, 12)}.dvb`;
  }
  return [ref.sid, ref.tsid, ref.onid, ref.namespace].map((n) => n.toString(16)).join('-') + '.dvb';
}
