import { foldText } from './text-fold.js';

const VARIANTS: Record<string, string> = {
  a: 'aàáâãäåāăą',
  c: 'cçćč',
  d: 'dď',
  e: 'eèéêëēėęě',
  g: 'gğ',
  i: 'iìíîïīı',
  l: 'lł',
  n: 'nñńň',
  o: 'oòóôõöøō',
  r: 'rř',
  s: 'sśšș',
  t: 'tțť',
  u: 'uùúûüūů',
  y: 'yýÿ',
  z: 'zźżž',
};

/**
 * A matcher that finds `query` in raw text regardless of case and accents, without folding the text:
 * the folded query becomes a regex whose letters accept their accented forms (and `ss` accepts `ß`).
 */
export function accentInsensitiveMatcher(query: string): (text: string) => boolean {
  const folded = foldText(query);
  let pattern = '';
  for (let index = 0; index < folded.length; index++) {
    const char = folded[index] as string;
    if (char === 's' && folded[index + 1] === 's') {
      pattern += '(?:ss|ß)';
      index++;
      continue;
    }
    if (char === ' ') {
      pattern += '\\s+';
      continue;
    }
    const variants = VARIANTS[char];
    pattern += variants ? `[${variants}${variants.toUpperCase()}]` : escapeRegex(char);
  }
  const regex = new RegExp(pattern, 'iu');
  return (text) => regex.test(text);
}

// Only syntax characters: in unicode mode (`u`) an escaped `-` or `/` outside a class is an invalid escape.
function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(char) ? `\\${char}` : char;
}
