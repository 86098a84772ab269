const SECRET_KEY = /(password|secret|token|key|credential|authorization)/i;

/**
 * A copy of a config object safe to log: values of secret-looking keys become `[redacted]` and
 * credentials embedded in URLs are stripped.
 */
export function redactConfig(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = redactValue(key, value);
  }
  return out;
}

function redactValue(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_KEY.test(key)) return '[redacted]';
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(key, item));
  if (typeof value === 'object') return redactConfig(value);
  return value;
}

export function redactUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1[redacted]@');
}
