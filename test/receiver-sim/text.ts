/** Text transformations the box applies (OpenWebIF `filterName`/`convertDesc`, Cheetah's WebSafe filter). */

const BAD_CHARS = /[\u001a\u0086\u0087\u008a]/g;

/** Python's `html.escape(s, quote=True)`. */
export function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

/** OpenWebIF removeBadChars: drops 0x1A and the C1 codes 0x86, 0x87, 0x8A. */
export function removeBadChars(text: string): string {
  return text.replace(BAD_CHARS, '');
}

/** Titles and names: control codes removed, HTML-escaped in JSON (`encode=True`), plain otherwise. */
export function filterName(text: string, encode: boolean): string {
  const clean = removeBadChars(text);
  return encode ? htmlEscape(clean) : clean;
}

/** Descriptions: in JSON HTML-escaped with 0x8A turned into `\n` (0x86/0x87 survive); otherwise stripped. */
export function convertDesc(text: string, encode: boolean): string {
  return encode ? htmlEscape(text).replace(/\u008a/g, '\n') : removeBadChars(text);
}

/** XML text/attribute escaping (Cheetah WebSafe). */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * What a correct client ends up with after decoding a JSON text field: HTML entities undone, `\n` kept,
 * remaining C1 controls stripped. Tests compare client output against this.
 */
export function clientVisibleText(raw: string): string {
  return raw.replace(/\u008a/g, '\n').replace(/[\u001a\u0080-\u009f]/g, '');
}
