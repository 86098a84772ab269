import type { CatalogSnapshot, Channel, EpgEvent } from '@e2gate/contracts';
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

/**
 * Channels that have at least one event worth writing, in channel-number order; a guide id seen twice (two IPTV
 * services with one upstream URL) is written once.
 */
export function guideChannels(snapshot: CatalogSnapshot, idMode: GuideOptions['idMode']): Channel[] {
  const seen = new Set<string>();
  return snapshot.channels
    .filter((channel) => (snapshot.epg[channel.id] ?? []).some(isRenderable))
    .sort((a, b) => a.number - b.number)
    .filter((channel) => {
      const id = guideId(channel, idMode);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

/**
 * XMLTV document (DTD order: every `<channel>` first, then the `<programme>`s) as chunks, one per channel, so a
 * caller can yield to the event loop between them. Channels without EPG are left out: `tv_validate_file` rejects
 * a channel without programmes.
 */
export function* renderXmltv(snapshot: CatalogSnapshot, options: GuideOptions): Generator<string> {
  const channels = guideChannels(snapshot, options.idMode);
  yield (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">\n' +
    `<tv date="${xmltvTime(Math.floor(Date.parse(snapshot.createdAt) / 1000))}"` +
    ` source-info-name="Enigma2 EPG (${escapeXmlAttr(snapshot.receiver.brand || 'receiver')})"` +
    ` generator-info-name="${escapeXmlAttr(options.generator)}">\n`
  );
  let header = '';
  for (const channel of channels) header += channelElement(channel, options);
  yield header;
  for (const channel of channels) {
    const id = escapeXmlAttr(guideId(channel, options.idMode));
    let chunk = '';
    for (const event of snapshot.epg[channel.id] ?? []) {
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
