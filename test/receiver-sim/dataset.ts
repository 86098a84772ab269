/**
 * The generated receiver content, deterministic from the seed at any size: TV bouquets with markers, hidden
 * entries, a sub-bouquet, an alternatives group, IPTV and relay refs; a radio bouquet. `channels` counts the
 * playable TV services exactly; every other kind of entry comes on top.
 */
import { generateServices, placePicons } from './channels.js';
import type { SimBouquet, SimChannel, SimDataset, SimEntry } from './model.js';
import { IPTV_CHANNELS, slug, tvBouquetName } from './names.js';
import {
  FLAG_GROUP,
  FLAG_INVISIBLE,
  FLAG_MARKER,
  FLAG_NUMBERED_MARKER,
  bouquetRef,
  dvbRef,
  iptvRef,
  markerRef,
  relayEmbeddedRef,
  snpName,
} from './refs.js';

export interface DatasetOptions {
  bouquets: number;
  channels: number;
  epgDays: number;
  seed: number;
  tuners: number;
}

export const DATASET_LIMITS = {
  bouquets: [0, 1000],
  channels: [0, 50_000],
  epgDays: [0, 60],
  tuners: [1, 32],
} as const;

export class DatasetOptionsError extends Error {
  readonly code = 'SIM_INVALID_OPTIONS';
}

export function validateDatasetOptions(options: DatasetOptions): void {
  for (const [key, [min, max]] of Object.entries(DATASET_LIMITS)) {
    const value = options[key as keyof typeof DATASET_LIMITS];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new DatasetOptionsError(`${key} must be an integer in [${min}, ${max}], got ${String(value)}`);
    }
  }
  if (!Number.isInteger(options.seed)) throw new DatasetOptionsError(`seed must be an integer`);
  if (options.bouquets === 0 && options.channels > 0) {
    throw new DatasetOptionsError('channels need at least one TV bouquet');
  }
}

function channelEntry(channel: SimChannel, style: 'plain' | 'lowercase' | 'relay' = 'plain'): SimEntry {
  const ref =
    style === 'relay'
      ? relayEmbeddedRef(channel, channel.name)
      : style === 'lowercase'
        ? channel.ref.toLowerCase()
        : channel.ref;
  return {
    kind: 'channel',
    ref,
    name: channel.name,
    flags: 0,
    channel,
    lowercase: style === 'lowercase',
    relayEmbedded: style === 'relay',
  };
}

function markerEntry(index: number, label: string, numbered: boolean): SimEntry {
  const flags = numbered ? FLAG_NUMBERED_MARKER | FLAG_MARKER : FLAG_MARKER;
  return { kind: 'marker', ref: markerRef(index, label, flags), name: label, flags, numbered };
}

function iptvEntry(index: number): SimEntry {
  const iptv = IPTV_CHANNELS[index % IPTV_CHANNELS.length]!;
  return {
    kind: 'iptv',
    ref: iptvRef(iptv.type, iptv.url, iptv.name),
    name: iptv.name,
    flags: 0,
    url: iptv.url,
  };
}

function tvBouquet(index: number): SimBouquet {
  const name = tvBouquetName(index);
  const file = `userbouquet.${slug(name)}_${index}.tv`;
  return { ref: bouquetRef(file, 'tv'), name, kind: 'tv', file, role: 'bouquet', entries: [] };
}

function nestedBouquet(name: string, prefix: 'subbouquet' | 'alternatives', entries: SimEntry[]): SimBouquet {
  const file = `${prefix}.${slug(name)}.tv`;
  const role = prefix === 'subbouquet' ? 'subbouquet' : 'alternatives';
  const ref = bouquetRef(file, 'tv', prefix === 'subbouquet' ? 7 : FLAG_GROUP);
  return { ref, name, kind: 'tv', file, role, entries };
}

/**
 * How the home entry of a channel is written: every second encrypted channel in the relay-embedded form (the
 * others are whitelisted), a few refs in lowercase as bouquet editors write them.
 */
function entryStyle(
  channel: SimChannel,
  index: number,
  encryptedOrdinal: number,
): 'plain' | 'lowercase' | 'relay' {
  if (channel.encrypted) return encryptedOrdinal % 2 === 0 ? 'relay' : 'plain';
  return index % 9 === 8 ? 'lowercase' : 'plain';
}

export function generateDataset(options: DatasetOptions): SimDataset {
  validateDatasetOptions(options);
  const { tv, hidden, radio } = generateServices(options.channels, options.seed);
  const bouquets = Array.from({ length: options.bouquets }, (_, index) => tvBouquet(index));
  const nestedBouquets: SimBouquet[] = [];
  let encryptedOrdinal = 0;

  // Home bouquets: contiguous slices, so every bouquet holds about channels/bouquets services.
  const homeStart = (b: number): number => Math.floor((b * tv.length) / bouquets.length);
  const homes = bouquets.map((_, b) => tv.slice(homeStart(b), homeStart(b + 1)));
  bouquets.forEach((bouquet, b) => {
    const entries = bouquet.entries;
    const members = homes[b] ?? [];
    let markers = 0;
    entries.push(markerEntry(++markers, `--- ${bouquet.name} ---`, false));
    members.forEach((channel, i) => {
      if (i === Math.floor(members.length / 2) && members.length >= 4) {
        entries.push(markerEntry(++markers, `*** Teil ${markers} ***`, true));
      }
      if (channel.encrypted) encryptedOrdinal++;
      entries.push(channelEntry(channel, entryStyle(channel, homeStart(b) + i, encryptedOrdinal)));
    });
    // Some channels also appear in the next bouquet (same ref).
    if (bouquets.length > 1) {
      const previous = homes[(b + bouquets.length - 1) % bouquets.length] ?? [];
      previous.filter((_, i) => i % 17 === 5).forEach((channel) => entries.push(channelEntry(channel)));
    }
  });

  const first = bouquets[0];
  if (first && tv.length > 0) {
    first.entries.splice(1, 0, {
      kind: 'hidden',
      ref: markerRef(0xd, '', FLAG_INVISIBLE | FLAG_NUMBERED_MARKER | FLAG_MARKER),
      name: '',
      flags: FLAG_INVISIBLE | FLAG_NUMBERED_MARKER | FLAG_MARKER,
      channel: null,
    });
    const sub = nestedBouquet(
      'Kinder & Jugend',
      'subbouquet',
      tv.slice(0, 3).map((channel) => channelEntry(channel)),
    );
    nestedBouquets.push(sub);
    first.entries.push({ kind: 'subbouquet', ref: sub.ref, name: sub.name, flags: 7, bouquet: sub });
    first.entries.push(iptvEntry(0));
  }
  const second = bouquets[1 % Math.max(1, bouquets.length)];
  if (second && tv.length > 0) {
    for (const channel of hidden) {
      const flags = FLAG_INVISIBLE;
      second.entries.push({
        kind: 'hidden',
        ref: dvbRef(channel, flags),
        name: channel.name,
        flags,
        channel,
      });
    }
  }
  const third = bouquets[2 % Math.max(1, bouquets.length)];
  const groupMembers = tv.filter(
    (channel) => channel.name === 'Das Erste HD' || channel.name === 'Das Erste',
  );
  if (third && groupMembers.length > 0) {
    const group = nestedBouquet(
      groupMembers[0]!.name,
      'alternatives',
      groupMembers.map((channel) => channelEntry(channel)),
    );
    nestedBouquets.push(group);
    third.entries.push({ kind: 'alternatives', ref: group.ref, name: group.name, flags: FLAG_GROUP, group });
  }
  const last = bouquets[bouquets.length - 1];
  if (last && tv.length > 0) last.entries.push(iptvEntry(1));

  const radioFile = 'userbouquet.favourites.radio';
  const radioBouquet: SimBouquet = {
    ref: bouquetRef(radioFile, 'radio'),
    name: 'Radio Favoriten',
    kind: 'radio',
    file: radioFile,
    role: 'bouquet',
    entries: [
      markerEntry(1, '--- Radio ---', false),
      ...radio.map((channel) => channelEntry(channel)),
      iptvEntry(2),
    ],
  };
  bouquets.push(radioBouquet);

  const channels = [...tv, ...hidden, ...radio];
  const piconFiles = placePicons(channels, [snpName(IPTV_CHANNELS[0]!.name)], options.seed);
  return {
    seed: options.seed,
    epgDays: options.epgDays,
    tuners: options.tuners,
    bouquets,
    nestedBouquets,
    channels,
    streamRelayWhitelist: tv.filter((channel) => channel.encrypted).map((channel) => channel.ref),
    piconFiles,
  };
}
