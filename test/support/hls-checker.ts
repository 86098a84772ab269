/**
 * Asserts the rules of reference/hls.md §2–3 on playlists as a player receives them. Returns every violation as a
 * sentence (an empty list: the playlist passes), so a test shows all that is wrong at once.
 */

export interface MediaSegment {
  uri: string;
  duration: number;
  programDateTime: string | null;
  discontinuity: boolean;
}

export interface MediaPlaylist {
  version: number | null;
  targetDuration: number | null;
  mediaSequence: number;
  discontinuitySequence: number;
  independent: boolean;
  segments: MediaSegment[];
}

export interface Variant {
  attributes: Record<string, string>;
  uri: string;
}

export interface Multivariant {
  media: Record<string, string>[];
  variants: Variant[];
  independent: boolean;
}

/** `KEY=VALUE,KEY="quoted, value"` → record (quotes removed). */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    out[match[1] as string] = (match[2] as string).replace(/^"|"$/g, '');
  }
  return out;
}

export function parseMultivariant(text: string): Multivariant {
  const lines = text.split('\n').map((line) => line.trim());
  const result: Multivariant = { media: [], variants: [], independent: false };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line === '#EXT-X-INDEPENDENT-SEGMENTS') result.independent = true;
    if (line.startsWith('#EXT-X-MEDIA:'))
      result.media.push(parseAttributes(line.slice('#EXT-X-MEDIA:'.length)));
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      result.variants.push({
        attributes: parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length)),
        uri: lines[n + 1] ?? '',
      });
    }
  }
  return result;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const playlist: MediaPlaylist = {
    version: null,
    targetDuration: null,
    mediaSequence: 0,
    discontinuitySequence: 0,
    independent: false,
    segments: [],
  };
  let pending: Partial<MediaSegment> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-VERSION:')) playlist.version = Number(line.split(':')[1]);
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) playlist.targetDuration = Number(line.split(':')[1]);
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) playlist.mediaSequence = Number(line.split(':')[1]);
    else if (line.startsWith('#EXT-X-DISCONTINUITY-SEQUENCE:')) {
      playlist.discontinuitySequence = Number(line.split(':')[1]);
    } else if (line === '#EXT-X-INDEPENDENT-SEGMENTS') playlist.independent = true;
    else if (line === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      pending.programDateTime = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
    } else if (line.startsWith('#EXTINF:'))
      pending.duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line !== '' && !line.startsWith('#')) {
      playlist.segments.push({
        uri: line,
        duration: pending.duration ?? Number.NaN,
        programDateTime: pending.programDateTime ?? null,
        discontinuity: pending.discontinuity ?? false,
      });
      pending = {};
    }
  }
  return playlist;
}

/** The media playlist rules: target, EXTINF bounds, PDT, window length, independent segments. */
export function checkMediaPlaylist(playlist: MediaPlaylist, options: { minSegments: number }): string[] {
  const problems: string[] = [];
  const target = playlist.targetDuration;
  if (target === null || !Number.isInteger(target) || target <= 0)
    problems.push('no integer EXT-X-TARGETDURATION');
  if (!playlist.independent) problems.push('no EXT-X-INDEPENDENT-SEGMENTS');
  if (playlist.segments.length < options.minSegments) {
    problems.push(`${playlist.segments.length} segments, fewer than ${options.minSegments}`);
  }
  if (playlist.segments[0] && !playlist.segments[0].programDateTime) {
    problems.push('no EXT-X-PROGRAM-DATE-TIME on the first segment');
  }
  for (const segment of playlist.segments) {
    if (!(segment.duration > 0)) problems.push(`${segment.uri}: EXTINF missing`);
    if (target !== null && segment.duration > target + 0.5) {
      problems.push(`${segment.uri}: ${segment.duration} s is more than the target ${target} s + 0.5 s`);
    }
    if (segment.discontinuity && !segment.programDateTime) {
      problems.push(`${segment.uri}: discontinuity without EXT-X-PROGRAM-DATE-TIME`);
    }
  }
  return problems;
}

/** The multivariant rules: CODECS, BANDWIDTH, RESOLUTION for video, LANGUAGE on every audio rendition. */
export function checkMultivariant(multivariant: Multivariant): string[] {
  const problems: string[] = [];
  if (!multivariant.independent) problems.push('no EXT-X-INDEPENDENT-SEGMENTS');
  if (multivariant.variants.length === 0) problems.push('no variant');
  for (const { attributes, uri } of multivariant.variants) {
    if (!attributes['CODECS']) problems.push(`${uri}: no CODECS`);
    if (!(Number(attributes['BANDWIDTH']) > 0)) problems.push(`${uri}: no BANDWIDTH`);
    if (!(Number(attributes['AVERAGE-BANDWIDTH']) > 0)) problems.push(`${uri}: no AVERAGE-BANDWIDTH`);
    if (/avc1|hvc1/.test(attributes['CODECS'] ?? '') && !attributes['RESOLUTION'])
      problems.push(`${uri}: no RESOLUTION`);
    if (attributes['AUDIO'] && !multivariant.media.some((m) => m['GROUP-ID'] === attributes['AUDIO'])) {
      problems.push(`${uri}: audio group ${attributes['AUDIO']} not defined`);
    }
  }
  for (const media of multivariant.media) {
    if (media['TYPE'] === 'AUDIO' && !media['LANGUAGE']) problems.push(`audio ${media['NAME']}: no LANGUAGE`);
    if (!media['URI']) problems.push(`audio ${media['NAME']}: no URI`);
  }
  return problems;
}
