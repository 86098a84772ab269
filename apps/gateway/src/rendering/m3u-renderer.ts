import type { Bouquet, Channel, SnapshotHead } from '@e2gate/contracts';
import { singleLine } from './text-clean.js';
import { guideId } from './xmltv-renderer.js';

export interface PlaylistOptions {
  idMode: 'dvb' | 'number';
  /** Absolute URL of the XMLTV guide for the header (`x-tvg-url` / `url-tvg`). */
  guideUrl: string;
  streamUrl(channel: Channel): string;
  logoUrl(channel: Channel): string | null;
  /** Only the channels of this bouquet, grouped under its name. */
  bouquet?: Bouquet;
}

const RADIO_SERVICE_TYPES = new Set([0x02, 0x0a]);

/**
 * Extended M3U as Jellyfin, Kodi IPTV Simple and TiviMate read it (reference/playlists.md): one `#EXTINF` line
 * with double-quoted, non-empty attributes and the display name after the last comma, then the URL. Nothing in an
 * M3U can be escaped, so text is made safe instead: quotes become apostrophes, line breaks spaces, and commas in the
 * display name U+201A — a channel name can never start a new entry.
 */
export function renderPlaylist(
  snapshot: Pick<SnapshotHead, 'bouquets' | 'channels'>,
  options: PlaylistOptions,
): string {
  const bouquetNames = new Map(snapshot.bouquets.map((bouquet) => [bouquet.id, bouquet.name]));
  const wanted = options.bouquet ? new Set(options.bouquet.channelIds) : null;
  const channels = snapshot.channels
    .filter((channel) => wanted === null || wanted.has(channel.id))
    .sort((a, b) => a.number - b.number);
  const guide = attribute(options.guideUrl);
  const lines = [`#EXTM3U x-tvg-url="${guide}" url-tvg="${guide}"`];
  for (const channel of channels) {
    const group = options.bouquet?.name ?? bouquetNames.get(channel.bouquetIds[0] ?? '') ?? '';
    const attributes: [string, string | null][] = [
      ['tvg-id', guideId(channel, options.idMode)],
      ['tvg-name', channel.name],
      ['tvg-logo', options.logoUrl(channel)],
      ['tvg-chno', String(channel.number)],
      ['group-title', group],
      ['radio', RADIO_SERVICE_TYPES.has(channel.serviceType) ? 'true' : null],
    ];
    const rendered = attributes
      .map(([name, value]) => [name, value === null ? '' : attribute(value)] as const)
      .filter(([, value]) => value.length > 0)
      .map(([name, value]) => `${name}="${value}"`)
      .join(' ');
    lines.push(`#EXTINF:-1 ${rendered},${displayName(channel)}`, urlLine(options.streamUrl(channel)));
  }
  return lines.join('\n') + '\n';
}

/** Attribute values end at the next `"` for every parser, and a line break would start a new directive. */
export function attribute(value: string): string {
  return oneLine(value).replace(/"/g, "'");
}

/** Jellyfin takes the text after the last comma as the name. */
export function displayName(channel: Channel): string {
  const name = oneLine(channel.name).replace(/"/g, "'").replace(/,/g, '\u201a');
  return name || `Channel ${channel.number}`;
}

function urlLine(url: string): string {
  return url.replace(/[\s"]/g, encodeURIComponent);
}

function oneLine(text: string): string {
  return singleLine(text);
}
