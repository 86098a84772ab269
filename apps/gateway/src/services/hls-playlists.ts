import type { HlsIndex, HlsRendition, HlsSegmentEntry } from '@e2gate/contracts';

/**
 * HLS playlists of a session, rendered from its segment index (RFC 8216; Apple's HLS authoring rules as in
 * reference/hls.md §2–3). Pure. Every URI is relative to the playlist, so the capability in the path reaches every
 * request of a player that cannot send headers.
 */

const VERSION = 6;

/** ISO 639-2 (as broadcast) → the RFC 5646 tag players expect; others stay as they are (valid 3-letter tags). */
const TWO_LETTER: Record<string, string> = {
  deu: 'de',
  ger: 'de',
  eng: 'en',
  fra: 'fr',
  fre: 'fr',
  ita: 'it',
  spa: 'es',
  nld: 'nl',
  dut: 'nl',
  por: 'pt',
  pol: 'pl',
  ces: 'cs',
  cze: 'cs',
  slk: 'sk',
  slo: 'sk',
  hun: 'hu',
  tur: 'tr',
  rus: 'ru',
  ukr: 'uk',
  ell: 'el',
  gre: 'el',
  swe: 'sv',
  dan: 'da',
  nor: 'no',
  fin: 'fi',
  hrv: 'hr',
  srp: 'sr',
  slv: 'sl',
  ron: 'ro',
  rum: 'ro',
  bul: 'bg',
  ara: 'ar',
  heb: 'he',
  zho: 'zh',
  chi: 'zh',
  jpn: 'ja',
  kor: 'ko',
  hin: 'hi',
  fas: 'fa',
  per: 'fa',
  cat: 'ca',
  eus: 'eu',
  baq: 'eu',
  glg: 'gl',
  lit: 'lt',
  lav: 'lv',
  est: 'et',
  sqi: 'sq',
  alb: 'sq',
  mkd: 'mk',
  mac: 'mk',
  bos: 'bs',
  isl: 'is',
  ice: 'is',
  gle: 'ga',
  cym: 'cy',
  wel: 'cy',
  ltz: 'lb',
  fry: 'fy',
};

export function languageTag(iso6392: string | undefined): string | undefined {
  if (!iso6392) return undefined;
  const code = iso6392.toLowerCase();
  if (code === 'und' || code === 'qaa' || code === 'mis' || !/^[a-z]{2,3}$/.test(code)) return undefined;
  return TWO_LETTER[code] ?? code;
}

/** The language's own name (`Deutsch`, `English`), for the player's track menu. */
function languageName(tag: string | undefined): string {
  if (!tag) return 'Audio';
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
    if (name && name !== tag) return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
  } catch {
    // not a tag Intl knows: the tag itself
  }
  return tag;
}

const AUDIO_DESCRIPTION = 3;

interface Bandwidth {
  peak: number;
  average: number;
}

/** Peak and average bit rate of a set of renditions over the window, measured from the stored segment sizes. */
function bandwidth(index: HlsIndex, positions: number[]): Bandwidth {
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const segment of index.segments) {
    const size = positions.reduce((sum, position) => sum + (segment.bytes[position] ?? 0), 0);
    if (segment.dur > 0) peak = Math.max(peak, (size * 8) / segment.dur);
    bytes += size;
    seconds += segment.dur;
  }
  const average = seconds > 0 ? (bytes * 8) / seconds : 0;
  return { peak: Math.ceil(peak), average: Math.ceil(average) };
}

function quoted(value: string): string {
  return `"${value.replace(/["\r\n]/g, '')}"`;
}

interface AudioGroup {
  id: string;
  renditions: { rendition: HlsRendition; position: number }[];
}

/** The multivariant playlist: one audio group of AAC renditions (and one of the broadcast AC-3, when present). */
export function renderMultivariant(index: HlsIndex, base: string): string {
  const positions = new Map(index.renditions.map((rendition, position) => [rendition.id, position]));
  const video = index.renditions.find((r) => r.type === 'video');
  const groups: AudioGroup[] = [];
  for (const [position, rendition] of index.renditions.entries()) {
    if (rendition.type !== 'audio') continue;
    const id = rendition.original ? (rendition.codecs === 'ec-3' ? 'ec3' : 'ac3') : 'aac';
    let group = groups.find((g) => g.id === id);
    if (!group) groups.push((group = { id, renditions: [] }));
    group.renditions.push({ rendition, position });
  }
  groups.sort((a, b) => (a.id === 'aac' ? -1 : b.id === 'aac' ? 1 : 0)); // AAC first: hls.js starts there
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${VERSION}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const group of groups) lines.push(...mediaTags(group, base));
  if (!video) {
    // Radio: per audio group one audio-only variant whose URI is its default rendition's playlist; the group's
    // other languages are alternates (hls.js and AVPlayer switch within the group, RFC 8216 §4.3.4.2.1).
    for (const group of groups) {
      const main = mainRendition(group)!;
      const rate = bandwidth(index, [main.position]);
      lines.push(
        `#EXT-X-STREAM-INF:BANDWIDTH=${rate.peak},AVERAGE-BANDWIDTH=${rate.average},` +
          `CODECS=${quoted(main.rendition.codecs)},AUDIO=${quoted(group.id)}`,
        `${base}${main.rendition.id}.m3u8`,
      );
    }
    return lines.join('\n') + '\n';
  }
  // Every video rendition (an ABR ladder has several, largest first) with every audio group.
  const videos = index.renditions.filter((r) => r.type === 'video');
  for (const rendition of videos) {
    const videoPosition = positions.get(rendition.id) as number;
    for (const group of groups) {
      const main = mainRendition(group);
      const rate = bandwidth(index, [videoPosition, ...(main ? [main.position] : [])]);
      const attributes = [
        `BANDWIDTH=${rate.peak}`,
        `AVERAGE-BANDWIDTH=${rate.average}`,
        `CODECS=${quoted([rendition.codecs, main?.rendition.codecs].filter(Boolean).join(','))}`,
        ...videoAttributes(rendition),
        `AUDIO=${quoted(group.id)}`,
      ];
      lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, `${base}${rendition.id}.m3u8`);
    }
    if (groups.length === 0) {
      const rate = bandwidth(index, [videoPosition]);
      const attributes = [
        `BANDWIDTH=${rate.peak}`,
        `AVERAGE-BANDWIDTH=${rate.average}`,
        `CODECS=${quoted(rendition.codecs)}`,
        ...videoAttributes(rendition),
      ];
      lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, `${base}${rendition.id}.m3u8`);
    }
  }
  return lines.join('\n') + '\n';
}

function videoAttributes(video: HlsRendition): string[] {
  return [
    ...(video.width && video.height ? [`RESOLUTION=${video.width}x${video.height}`] : []),
    ...(video.frameRate ? [`FRAME-RATE=${video.frameRate.toFixed(3)}`] : []),
  ];
}

/** The group's default rendition: its first that is not an audio description. */
function mainRendition(group: AudioGroup): AudioGroup['renditions'][number] | undefined {
  return group.renditions.find((r) => r.rendition.audioType !== AUDIO_DESCRIPTION) ?? group.renditions[0];
}

function mediaTags(group: AudioGroup, base: string): string[] {
  const names = new Set<string>();
  const defaultPosition = mainRendition(group)?.position;
  return group.renditions.map(({ rendition, position }) => {
    const tag = languageTag(rendition.language);
    const describes = rendition.audioType === AUDIO_DESCRIPTION;
    let name =
      languageName(tag) +
      (describes ? ' (audio description)' : '') +
      (rendition.original ? (rendition.codecs === 'ec-3' ? ' (E-AC-3)' : ' (AC-3)') : '');
    for (let n = 2; names.has(name); n++) name = `${name.replace(/ \d+$/, '')} ${n}`;
    names.add(name);
    const attributes = [
      'TYPE=AUDIO',
      `GROUP-ID=${quoted(group.id)}`,
      ...(tag ? [`LANGUAGE=${quoted(tag)}`] : []),
      `NAME=${quoted(name)}`,
      ...(rendition.channels ? [`CHANNELS=${quoted(String(rendition.channels))}`] : []),
      `DEFAULT=${position === defaultPosition ? 'YES' : 'NO'}`,
      'AUTOSELECT=YES',
      ...(describes ? [`CHARACTERISTICS=${quoted('public.accessibility.describes-video')}`] : []),
      `URI=${quoted(`${base}${rendition.id}.m3u8`)}`,
    ];
    return `#EXT-X-MEDIA:${attributes.join(',')}`;
  });
}

/** One rendition's media playlist over the timeshift window; null when the session has no such rendition. */
export function renderMediaPlaylist(index: HlsIndex, renditionId: string): string | null {
  const position = index.renditions.findIndex((r) => r.id === renditionId);
  if (position === -1) return null;
  const first = index.segments.findIndex((s) => (s.bytes[position] ?? 0) > 0);
  const segments: HlsSegmentEntry[] = first === -1 ? [] : index.segments.slice(first);
  const skippedDiscontinuities = index.segments.slice(0, Math.max(first, 0)).filter((s) => s.disc).length;
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${VERSION}`,
    `#EXT-X-TARGETDURATION:${index.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${segments[0]?.seq ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${index.discontinuitySequence + skippedDiscontinuities}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let expected = segments[0]?.seq ?? 0;
  for (const [n, segment] of segments.entries()) {
    const discontinuity = n > 0 && (segment.disc === true || segment.seq !== expected);
    if (discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (n === 0 || discontinuity)
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.pdt).toISOString()}`);
    lines.push(`#EXTINF:${segment.dur.toFixed(3)},`, `${renditionId}/${segment.seq}.ts`);
    expected = segment.seq + 1;
  }
  return lines.join('\n') + '\n';
}
