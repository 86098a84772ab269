/**
 * JSON exactly as OpenWebIF's Python writes it: `json.dumps(data, indent=1)` (one-space indent, `", "`-free
 * item separator, `": "` key separator) with `ensure_ascii` — every character outside printable ASCII as
 * `\uXXXX` — or, in the Latin-1 fault mode, raw characters to be sent as Latin-1 bytes.
 */

export type PyJson = null | boolean | number | string | PyJson[] | { [key: string]: PyJson | undefined };

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

const u = (code: number): string => '\\u' + code.toString(16).padStart(4, '0');

function encodeString(text: string, ensureAscii: boolean): string {
  const pattern = ensureAscii ? /[\\"\u0000-\u001f\u007f-\uffff]/g : /[\\"\u0000-\u001f]/g;
  return (
    '"' +
    text.replace(pattern, (ch) => {
      const known = ESCAPES[ch];
      if (known) return known;
      return u(ch.charCodeAt(0));
    }) +
    '"'
  );
}

function encodeNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return String(value);
}

export interface PyDumpOptions {
  /** `null` = compact with Python's default separators (`", "` and `": "`). */
  indent: number | null;
  ensureAscii: boolean;
}

export function pyDumps(value: PyJson, options: PyDumpOptions = { indent: 1, ensureAscii: true }): string {
  const parts: string[] = [];
  write(value, 0, options, parts);
  return parts.join('');
}

function write(value: PyJson | undefined, depth: number, options: PyDumpOptions, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'number') {
    out.push(encodeNumber(value));
  } else if (typeof value === 'string') {
    out.push(encodeString(value, options.ensureAscii));
  } else if (Array.isArray(value)) {
    writeContainer(value, [], depth, options, out, '[', ']');
  } else {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined);
    writeContainer(value, keys, depth, options, out, '{', '}');
  }
}

function writeContainer(
  value: PyJson[] | { [key: string]: PyJson | undefined },
  keys: string[],
  depth: number,
  options: PyDumpOptions,
  out: string[],
  open: string,
  close: string,
): void {
  const isArray = Array.isArray(value);
  const count = isArray ? value.length : keys.length;
  if (count === 0) {
    out.push(open + close);
    return;
  }
  const { indent } = options;
  const inner = indent === null ? '' : '\n' + ' '.repeat(indent * (depth + 1));
  const outer = indent === null ? '' : '\n' + ' '.repeat(indent * depth);
  const separator = indent === null ? ', ' : ',';
  out.push(open);
  for (let i = 0; i < count; i++) {
    out.push(i === 0 ? inner : separator + inner);
    if (isArray) {
      write(value[i], depth + 1, options, out);
    } else {
      const key = keys[i]!;
      out.push(encodeString(key, options.ensureAscii), ': ');
      write(value[key], depth + 1, options, out);
    }
  }
  out.push(outer, close);
}

/**
 * Bytes on the wire: UTF-8 normally; in Latin-1 mode every character ≤ U+00FF as one byte (the dataset holds
 * nothing beyond Latin-1; anything else would become `?`, as Python's `errors="replace"` does).
 */
export function encodeBody(text: string, latin1: boolean): Buffer {
  if (!latin1) return Buffer.from(text, 'utf8');
  return Buffer.from(text.replace(/[^\u0000-\u00ff]/g, '?'), 'latin1');
}
