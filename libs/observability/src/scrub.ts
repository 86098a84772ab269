/**
 * Secrets never reach a log line. Two layers:
 * - `redactUrl` builds the request URL that request logging writes: the `/hdhr/<key>` segment and the values of
 *   query parameters whose (percent-decoded) names look like credentials are replaced. It decodes before it
 *   decides, as the server does: Fastify reads `?%74oken=` as `token` and `/hdhr/%41…` as a key starting with `A`.
 *   Free text users type (the search `q`) is not a secret but not ours to keep either: only its length is written.
 * - `scrubSecrets` is the last line of defence, applied to every serialised line before it is written; it catches
 *   secrets inside free text and URLs elsewhere, percent-encoded parameter names included.
 * Structured redaction (pino `redact`, `REDACT_PATHS`) handles known fields.
 */
export const REDACTED = '[redacted]';

/** A parameter whose decoded name contains one of these (any case) carries a credential or a signature. */
const SENSITIVE_NAME = /token|sig|secret|passw|key|auth|credential/i;

/** Parameters (decoded names, exact) whose values are what users type: logged as their length. */
const FREE_TEXT_NAMES = new Set(['q']);

const RULES: [RegExp, (substring: string, ...groups: string[]) => string][] = [
  // Query parameters that carry credentials or signatures, with names as written or percent-encoded.
  [
    /([?&])([^=&?#\s"'\\]{1,100})=([^&#\s"'\\]*)/g,
    (match, separator, name) => (isSensitiveName(name!) ? `${separator}${name}=${REDACTED}` : match),
  ],
  // Authorization header values written as text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, (_match, scheme) => `${scheme} ${REDACTED}`],
  // The HDHomeRun device key is a path segment (`/hdhr/<key>/…`, any case, possibly percent-encoded): a credential.
  [
    /\/((?:[A-Za-z]|%[0-9A-Fa-f]{2}){4,12})(\/|%2[Ff])([^/?#\s"'\\]+)/g,
    (match, segment, separator, key) =>
      isHdhrSegment(segment!) && !isPlaceholder(key!) ? `/${segment}${separator}${REDACTED}` : match,
  ],
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"'\\]+@/gi, (_match, scheme) => `${scheme}${REDACTED}@`],
];

export function scrubSecrets(line: string): string {
  let out = line;
  for (const [pattern, replace] of RULES) out = out.replace(pattern, replace);
  return out;
}

/**
 * The request URL as logged: the path with the segment after `/hdhr/` replaced, and the query with the value of
 * every parameter whose decoded name looks like a credential replaced (names kept, so the log still says which
 * form of credential was used). Everything else stays as the client sent it.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? null : url.slice(queryAt + 1);
  return query === null ? redactPath(path) : `${redactPath(path)}?${redactQuery(query)}`;
}

function redactPath(path: string): string {
  const segments = path.split('/');
  let changed = false;
  for (let i = 0; i < segments.length - 1; i++) {
    if (!isHdhrSegment(segments[i]!)) continue;
    segments[i + 1] = REDACTED;
    changed = true;
  }
  if (changed) return segments.join('/');
  // An encoded separator (`/hdhr%2F<key>`) is not a route, but the key must not be logged either.
  const decoded = decodeLoosely(path);
  return decoded !== path && /\/hdhr\//i.test(decoded) ? redactPath(decoded) : path;
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const name = pair.slice(0, equals);
      if (isSensitiveName(name)) return `${name}=${REDACTED}`;
      if (!FREE_TEXT_NAMES.has(decodeQueryPart(name))) return pair;
      return `${name}=[${[...decodeQueryPart(pair.slice(equals + 1))].length} characters]`;
    })
    .join('&');
}

function isSensitiveName(raw: string): boolean {
  return SENSITIVE_NAME.test(decodeQueryPart(raw));
}

/** A query name or value as the server reads it (`+` is a space). */
function decodeQueryPart(raw: string): string {
  return decodeLoosely(raw.replace(/\+/g, ' '));
}

function isHdhrSegment(raw: string): boolean {
  return decodeLoosely(raw).toLowerCase() === 'hdhr';
}

/** Route patterns (`/hdhr/:key/…`) and already redacted text are not keys. */
function isPlaceholder(key: string): boolean {
  return key.startsWith(':') || key.startsWith(REDACTED);
}

/** Percent-decoding that never throws: malformed escapes stay as they are. */
function decodeLoosely(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** pino `redact` paths for structured fields. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  'password',
  'secret',
  'token',
];
