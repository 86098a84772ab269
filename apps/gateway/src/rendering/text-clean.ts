/**
 * Characters XML 1.0 forbids, plus those `tv_validate_file` rejects as "badutf8" (C1 controls U+0080–U+009F and
 * U+FFFD): Enigma2 EPG text carries DVB control codes (U+0086/U+0087 emphasis, U+008A line break) and mojibake.
 */
const NOT_XML_SAFE = /[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffc\u{10000}-\u{10ffff}]/gu;
const DVB_LINE_BREAK = /\u008a/g;

/** Text that every XML parser and the XMLTV validator accept; DVB line breaks become newlines. */
export function xmlSafeText(text: string): string {
  return text.replace(DVB_LINE_BREAK, '\n').replace(NOT_XML_SAFE, '');
}

export function escapeXmlText(text: string): string {
  return xmlSafeText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/[\t\n\r]/g, ' ');
}

/** One line of display text: control characters and line breaks become spaces, runs of spaces collapse. */
export function singleLine(text: string): string {
  return xmlSafeText(text)
    .replace(/[\t\n\r\u2028\u2029]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
