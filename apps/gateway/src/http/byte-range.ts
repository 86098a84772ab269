/** One byte range of a `Range: bytes=…` header, resolved against the resource's size (inclusive end). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * RFC 9110 §14.1.2 for a single range: `bytes=a-`, `bytes=a-b`, `bytes=-n`. Returns null when the header is absent,
 * not a bytes range, or lists several ranges (the whole resource is then sent, which RFC 9110 allows), and
 * 'unsatisfiable' when the range lies outside the resource (416).
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const match = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
