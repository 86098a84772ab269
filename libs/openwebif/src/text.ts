const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a receiver response: UTF-8, or ISO-8859-1 when the bytes are not valid UTF-8 (older images send
 * Latin-1 while claiming UTF-8). Node's `latin1` is true ISO-8859-1, unlike WHATWG's windows-1252 label.
 */
export function decodeBody(bytes: Uint8Array): { text: string; latin1: boolean } {
  try {
    return { text: utf8.decode(bytes), latin1: false };
  } catch {
    return {
      text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
      latin1: true,
    };
  }
}

const C1_CONTROLS = /[\u0080-\u0089\u008b-\u009f\u001a]/g;
const DVB_LINE_BREAK = /\u008a/g;

/** Strips DVB control bytes (emphasis 0x86/0x87, 0x1A, other C1) and turns the DVB line break 0x8A into `\n`. */
export function stripControls(text: string): string {
  return text.replace(DVB_LINE_BREAK, '\n').replace(C1_CONTROLS, '');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Unescapes the HTML entities OpenWebIF writes into EPG text (`&amp;`, `&quot;`, `&#x27;`, `&#39;` …). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (match, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? parseInt(entity.slice(2), 16)
          : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? match;
  });
}

/** Clean display text: controls stripped, whitespace collapsed, trimmed. */
export function cleanName(text: string): string {
  return stripControls(text).replace(/\s+/g, ' ').trim();
}

/** Clean EPG text: entities unescaped, controls stripped, line breaks kept, trimmed. */
export function cleanEpgText(text: string): string {
  return stripControls(unescapeHtml(text))
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** First characters of a body for error messages, with controls made visible. */
export function snippet(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
