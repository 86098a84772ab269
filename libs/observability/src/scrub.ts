/**
 * Last line of defence against secrets in logs: applied to every serialised log line before it is written.
 * Structured redaction (pino `redact`) handles known fields; this catches secrets inside free text and URLs.
 */
const RULES: [RegExp, string][] = [
  // Query parameters that carry credentials or signatures.
  [
    /([?&](?:token|access_token|sig|signature|password|passwd|secret|key|api_key|apikey)=)[^&\s"'\\]*/gi,
    '$1[redacted]',
  ],
  // Authorization header values written as text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, '$1 [redacted]'],
  // The HDHomeRun device key is a path segment (`/hdhr/<key>/…`): it is a credential.
  [/(\/hdhr\/)[A-Za-z0-9_-]{16,}/g, '$1[redacted]'],
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"'\\]+@/gi, '$1[redacted]@'],
];

export function scrubSecrets(line: string): string {
  let out = line;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
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
