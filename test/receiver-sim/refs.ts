/**
 * Enigma2 service references (openwebif.md §2) and picon file names (§6).
 * `type:flags:stype:SID:TSID:ONID:NS:parentSID:parentTSID:unused:[path|url]:[name]`, numeric fields in hex
 * except type and flags, which Enigma2 prints in decimal.
 */

export const FLAG_DIRECTORY = 7;
export const FLAG_MARKER = 64;
export const FLAG_NUMBERED_MARKER = 256;
export const FLAG_INVISIBLE = 512;
export const FLAG_GROUP = 134;

export const IPTV_TYPES: readonly number[] = [4097, 5001, 5002];

export interface DvbTriplet {
  serviceType: number;
  sid: number;
  tsid: number;
  onid: number;
  namespace: number;
}

const hex = (value: number): string => value.toString(16).toUpperCase();

/** A DVB service reference exactly as Enigma2 prints it: uppercase hex and a trailing colon. */
export function dvbRef(service: DvbTriplet, flags = 0): string {
  const { serviceType, sid, tsid, onid, namespace } = service;
  return `1:${flags}:${hex(serviceType)}:${hex(sid)}:${hex(tsid)}:${hex(onid)}:${hex(namespace)}:0:0:0:`;
}

/** A bouquet (directory) reference as it appears in bouquets.tv / bouquets.radio. */
export function bouquetRef(file: string, kind: 'tv' | 'radio', flags = FLAG_DIRECTORY): string {
  const stype = kind === 'tv' ? 1 : 2;
  return `1:${flags}:${stype}:0:0:0:0:0:0:0:FROM BOUQUET "${file}" ORDER BY bouquet`;
}

export function markerRef(index: number, label: string, flags = FLAG_MARKER): string {
  return `1:${flags}:${hex(index)}:0:0:0:0:0:0:0::${label}`;
}

/** `:` becomes `%3a` inside the URL field, as bouquet files store it. */
export function encodeRefUrl(url: string): string {
  return url.replace(/:/g, '%3a');
}

export function iptvRef(type: number, url: string, name: string, sid = 0): string {
  return `${type}:0:1:${hex(sid)}:0:0:0:0:0:0:${encodeRefUrl(url)}:${name}`;
}

/** The stream-relay form: a DVB ref whose URL field points at the box's own relay on 127.0.0.1:17999. */
export function relayEmbeddedRef(service: DvbTriplet, name: string): string {
  const inner = dvbRef(service);
  return `${inner}${encodeRefUrl(`http://127.0.0.1:17999/${inner}`)}:${name}`;
}

export const RELAY_MARKER = 'http://127.0.0.1:17999/';

/** URL-decodes `%3a`/`%3A` (OpenWebIF decodes `ref` twice, so both spellings arrive). */
export function decodeRef(ref: string): string {
  let out = ref;
  for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(out); i++) {
    try {
      out = decodeURIComponent(out);
    } catch {
      out = out.replace(/%3a/gi, ':');
    }
  }
  return out;
}

/** The inner DVB ref of a relay-embedded ref, or null. */
export function relayInnerRef(ref: string): string | null {
  const decoded = decodeRef(ref);
  const at = decoded.indexOf(RELAY_MARKER);
  if (at < 0) return null;
  const rest = decoded.slice(at + RELAY_MARKER.length);
  const fields = rest.split(':').slice(0, 10);
  return fields.length === 10 ? `${fields.join(':')}:` : null;
}

export interface ParsedRef {
  type: number;
  flags: number;
  fields: string[]; // the ten numeric fields as written
  path: string;
  name: string;
}

export function parseRef(ref: string): ParsedRef | null {
  const parts = decodeRef(ref).split(':');
  if (parts.length < 10) return null;
  const type = Number.parseInt(parts[0] ?? '', 10);
  const flags = Number.parseInt(parts[1] ?? '', 10);
  if (!Number.isFinite(type) || !Number.isFinite(flags)) return null;
  const fields = parts.slice(0, 10);
  if (fields.slice(2).some((field) => !/^[0-9a-f]*$/i.test(field))) return null;
  // Anything after field 10: a path/URL (which may itself contain ':') and a trailing name.
  const rest = parts.slice(10);
  const name = rest.length >= 2 ? (rest[rest.length - 1] ?? '') : '';
  const path = rest.length >= 2 ? rest.slice(0, -1).join(':') : (rest[0] ?? '');
  return { type, flags, fields, path, name };
}

/**
 * Identity key of a DVB service: stype-independent SID/TSID/ONID/namespace in uppercase hex.
 * Case, trailing colon, `%3a`, flags and relay wrapping do not change it.
 */
export function serviceKey(ref: string): string | null {
  const inner = relayInnerRef(ref) ?? ref;
  const parsed = parseRef(inner);
  if (
    !parsed ||
    parsed.type !== 1 ||
    parsed.flags & FLAG_MARKER ||
    (parsed.flags & FLAG_DIRECTORY) === FLAG_DIRECTORY
  )
    return null;
  const [, , , sid, tsid, onid, ns] = parsed.fields.map((field) => Number.parseInt(field || '0', 16));
  if (sid === undefined || tsid === undefined || onid === undefined || ns === undefined) return null;
  if (![sid, tsid, onid, ns].every(Number.isFinite) || sid === 0) return null;
  return `${hex(sid)}:${hex(tsid)}:${hex(onid)}:${hex(ns)}`;
}

/** Picon file name (without `.png`) of the first ten fields, hex case as written (openwebif.md §6). */
export function piconBaseName(ref: string): string | null {
  const parsed = parseRef(ref);
  if (!parsed) return null;
  return parsed.fields.join('_');
}

/** "snp" (service name picon): NFKD-folded, `&`→and, `+`→plus, `*`→star, lower-cased, only [a-z0-9]. */
export function snpName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/\+/g, 'plus')
    .replace(/\*/g, 'star')
    .replace(/[^a-z0-9]/g, '');
}

/** "utf8snp": the UTF-8 channel name lower-cased with file-system-hostile characters removed. */
export function utf8SnpName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[/\\:*?"<>|]/g, '')
    .trim();
}

export type PiconStep =
  'name-snp' | 'exact' | 'namespace' | 'type' | 'service-type' | 'utf8snp' | 'snp' | 'snp-without-hd';

export interface PiconCandidate {
  file: string;
  step: PiconStep;
}

/**
 * OpenWebIF's getPicon fallback chain: the candidate file names (without `.png`) in the order the box tries
 * them, each with the step that produced it. For URL refs the snp forms of the name part come first.
 */
export function piconCandidates(ref: string, serviceName: string): PiconCandidate[] {
  const parsed = parseRef(ref);
  if (!parsed) return [];
  const out: PiconCandidate[] = [];
  const push = (file: string, step: PiconStep): void => {
    if (file && !out.some((candidate) => candidate.file === file)) out.push({ file, step });
  };
  const isUrlRef = /https?:\/\//i.test(parsed.path) && relayInnerRef(ref) === null;
  if (isUrlRef) {
    const base = snpName((parsed.name || serviceName).split('\u2022')[0] ?? '');
    push(base, 'name-snp');
    push(base.replace(/hd$/, ''), 'name-snp');
    push(base.replace(/s\d+e\d+$/, ''), 'name-snp');
  }
  const fields = [...parsed.fields];
  push(fields.join('_'), 'exact');
  const ns = fields[6] ?? '';
  if (ns.length > 4) {
    fields[6] = ns.slice(0, -4) + '0000';
    push(fields.join('_'), 'namespace');
  }
  if (IPTV_TYPES.includes(parsed.type)) {
    fields[0] = '1';
    push(fields.join('_'), 'type');
  }
  if (fields[2] !== '1') {
    fields[2] = '1';
    push(fields.join('_'), 'service-type');
  }
  push(utf8SnpName(serviceName), 'utf8snp');
  const snp = snpName(serviceName);
  push(snp, 'snp');
  push(snp.replace(/hd$/, ''), 'snp-without-hd');
  return out;
}

/** The first candidate that exists among the stored files, or null. */
export function resolvePicon(
  ref: string,
  serviceName: string,
  stored: { has(file: string): boolean },
): PiconCandidate | null {
  return piconCandidates(ref, serviceName).find((candidate) => stored.has(candidate.file)) ?? null;
}
