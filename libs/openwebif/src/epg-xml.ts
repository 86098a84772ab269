import type { ReceiverEvent } from './models.js';
import { cleanEpgText } from './text.js';

const EVENT = /<e2event>([\s\S]*?)<\/e2event>/g;

/** Minimal reader for `/web/epgservice` (`<e2eventlist><e2event>…`); tolerant of missing elements. */
export function parseEpgXml(xml: string): ReceiverEvent[] {
  const events: ReceiverEvent[] = [];
  for (const [, body] of xml.matchAll(EVENT)) {
    const field = (name: string) =>
      decodeXml(new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(body ?? '')?.[1] ?? '');
    const id = toInt(field('e2eventid'));
    const begin = toInt(field('e2eventstart'));
    if (id === undefined || begin === undefined || begin <= 0) continue;
    const genreId = toInt(/<e2eventgenre\s+id="(\d+)"/.exec(body ?? '')?.[1] ?? '');
    const ref = field('e2eventservicereference').trim();
    events.push({
      id,
      begin,
      durationSec: toInt(field('e2eventduration')) ?? 0,
      title: cleanEpgText(field('e2eventtitle')),
      shortDescription: cleanEpgText(field('e2eventdescription')),
      longDescription: cleanEpgText(field('e2eventdescriptionextended')),
      genre: cleanEpgText(field('e2eventgenre')),
      ...(genreId === undefined ? {} : { genreId }),
      ...(ref ? { ref } : {}),
    });
  }
  return events;
}

function toInt(text: string): number | undefined {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : undefined;
}

function decodeXml(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}
