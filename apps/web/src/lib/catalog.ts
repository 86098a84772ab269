import { api } from './api.js';
import type { Bouquet, Channel, NowNext, Page } from './types.js';

/** The channel list, loaded once per catalog version and shared by the pages (channels, player, guide). */

export interface Lineup {
  version: string;
  bouquets: Bouquet[];
  channels: Channel[];
  byId: Map<string, Channel>;
  /** Every channel by its number (the order of "all channels", channel up/down and the guide). */
  byNumber: Channel[];
}

const PAGE = 1000;
let cached: Promise<Lineup> | null = null;

export function lineup(): Promise<Lineup> {
  cached ??= load().catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}

async function load(): Promise<Lineup> {
  const bouquets = await api<{ version: string; items: Bouquet[] }>('/api/v1/bouquets');
  const channels: Channel[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await api<Page<Channel>>(`/api/v1/channels?offset=${offset}&limit=${PAGE}`);
    channels.push(...page.items);
    if (channels.length >= page.total || page.items.length === 0) break;
  }
  return {
    version: bouquets.version,
    bouquets: bouquets.items,
    channels,
    byId: new Map(channels.map((channel) => [channel.id, channel])),
    byNumber: [...channels].sort((a, b) => a.number - b.number),
  };
}

/** What runs now and next on every channel (one call per 1,000 channels). */
export async function nowNext(): Promise<Map<string, NowNext>> {
  const out = new Map<string, NowNext>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await api<Page<NowNext>>(`/api/v1/epg/now-next?offset=${offset}&limit=${PAGE}`);
    for (const item of page.items) out.set(item.channelId, item);
    if (offset + page.items.length >= page.total || page.items.length === 0) break;
  }
  return out;
}

/** The channels of a bouquet in its order (every channel by number for any other id). */
export function channelsOf(lineup: Lineup, bouquetId: string): Channel[] {
  const bouquet = lineup.bouquets.find((candidate) => candidate.id === bouquetId);
  if (!bouquet) return lineup.byNumber;
  return bouquet.channelIds.flatMap((id) => lineup.byId.get(id) ?? []);
}
