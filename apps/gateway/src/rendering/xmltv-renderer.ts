import type { Channel, EpgEvent, SnapshotHead } from '@e2gate/contracts';
import { canonicalCategory } from './genre-categories.js';
import { escapeXmlAttr, escapeXmlText, singleLine } from './text-clean.js';
import { xmltvTime } from './xmltv-time.js';

export interface GuideOptions {
  /** `dvb`: channel ids are the DVB-derived `xmltvId`; `number`: the channel number (Plex guide matching). */
  idMode: 'dvb' | 'number';
  /** Two-letter language of the EPG text (`lang` attributes). */
  lang: string;
  /** `name/version` for `generator-info-name`. */
  generator: string;
  /** Absolute logo URL of a channel, or null. */
  logoUrl(channel: Channel): string | null;
}

/** The guide id of a channel, shared by the playlist's `tvg-id` and the XMLTV `<channel id>`. */
export function guideId(channel: Channel, idMode: GuideOptions['idMode']): string {
  return idMode === 'number' ? String(channel.number) : channel.xmltvId;
}

/** A snapshot's guide as the renderer reads it: the channel list, and each channel's events one at a time. */
export interface GuideSource {
  readonly snapshot: Pick<SnapshotHead, 'channels' | 'createdAt' | 'receiver'>;
  /** Ids of the channels with at least one event worth writing (`hasProgrammes`). */
  readonly channelsWithProgrammes: ReadonlySet<string>;
  /** Every channel's events, one channel at a time, in the order they were stored (channel number). */
  guide(): AsyncIterable<readonly [channelId: string, events: EpgEvent[]]>;
}

/** Whether a channel's events give at least one `<programme>`. */
export function hasProgrammes(events: readonly EpgEvent[]): boolean {
  return events.some(isRenderable);
}

/**
 * Channels that have at least one event worth writing, in channel-number order; a guide id seen twice (two IPTV
 * services with one upstream URL) is written once.
 */
export function guideChannels(
  source: Pick<GuideSource, 'snapshot' | 'channelsWithProgrammes'>,
  idMode: GuideOptions['idMode'],
): Channel[] {
  const seen = new Set<string>();
  return source.snapshot.channels
    .filter((channel) => source.channelsWithProgrammes.has(channel.id))
    .sort((a, b) => a.number - b.number)
    .filter((channel) => {
      const id = guideId(channel, idMode);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

/**
 * XMLTV document (DTD order: every `<channel>` first, then the `<programme>`s) as chunks, one per channel, read
 * from the source one channel at a time: neither the guide nor the document is ever held whole. Channels without
 * EPG are left out: `tv_validate_file` rejects a channel without programmes. Programmes follow the source's order
 * (the catalog stores them in channel-number order).
 */
export async function* renderXmltv(source: GuideSource, options: GuideOptions): AsyncGenerator<string> {
  const channels = guideChannels(source, options.idMode);
  const { snapshot } = source;
  yield (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">\n' +
    `<tv date="${xmltvTime(Math.floor(Date.parse(snapshot.createdAt) / 1000))}"` +
    ` source-info-name="Enigma2 EPG (${escapeXmlAttr(snapshot.receiver.brand || 'receiver')})"` +
    ` generator-info-name="${escapeXmlAttr(options.generator)}">\n`
  );
  let header = '';
  for (const channel of channels) header += channelElement(channel, options);
  yield header;
  const written = new Map(channels.map((channel) => [channel.id, channel]));
  for await (const [channelId, events] of source.guide()) {
    const channel = written.get(channelId);
    if (!channel) continue;
    const id = escapeXmlAttr(guideId(channel, options.idMode));
    let chunk = '';
    for (const event of events) {
      if (isRenderable(event)) chunk += programmeElement(event, id, options.lang);
    }
    yield chunk;
  }
  yield '</tv>\n';
}

function channelElement(channel: Channel, options: GuideOptions): string {
  const logo = options.logoUrl(channel);
  return (
    `  <channel id="${escapeXmlAttr(guideId(channel, options.idMode))}">\n` +
    `    <display-name lang="${options.lang}">${escapeXmlText(displayName(channel))}</display-name>\n` +
    `    <display-name>${channel.number}</display-name>\n` +
    (logo ? `    <icon src="${escapeXmlAttr(logo)}"/>\n` : '') +
    '  </channel>\n'
  );
}

function programmeElement(event: EpgEvent, channelId: string, lang: string): string {
  const title = singleLine(event.title);
  const subtitle = event.subtitle ? singleLine(event.subtitle) : '';
  const description = event.description ? escapeXmlText(event.description.trim()) : '';
  const category = canonicalCategory(event.genreId);
  const genre = event.genre ? singleLine(event.genre) : '';
  let out =
    `  <programme start="${xmltvTime(event.start)}" stop="${xmltvTime(event.stop)}" channel="${channelId}">\n` +
    `    <title lang="${lang}">${escapeXmlText(title)}</title>\n`;
  if (subtitle && subtitle.toLowerCase() !== title.toLowerCase()) {
    out += `    <sub-title lang="${lang}">${escapeXmlText(subtitle)}</sub-title>\n`;
  }
  if (description.trim()) out += `    <desc lang="${lang}">${description}</desc>\n`;
  if (category) out += `    <category lang="en">${category}</category>\n`;
  if (genre && genre.toLowerCase() !== category?.toLowerCase()) {
    out += `    <category lang="${lang}">${escapeXmlText(genre)}</category>\n`;
  }
  return out + '  </programme>\n';
}

function isRenderable(event: EpgEvent): boolean {
  return event.stop > event.start && singleLine(event.title).length > 0;
}

function displayName(channel: Channel): string {
  return singleLine(channel.name) || `Channel ${channel.number}`;
}
