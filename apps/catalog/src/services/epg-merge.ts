import type { CatalogSnapshot, Channel, EpgEvent } from '@e2gate/contracts';

export interface EpgSources {
  /** The new channel list. */
  channels: readonly Channel[];
  /** Guides read from the receiver in this refresh (an empty list is a real "no EPG"). */
  fetched: ReadonlyMap<string, EpgEvent[]>;
  /** When this refresh read them (epoch seconds). */
  fetchedAt: number;
  /** Now/next of every channel, read per bouquet; stands in for a guide not read yet. */
  nowNext?: ReadonlyMap<string, EpgEvent[]>;
  /** The snapshot served before this refresh. */
  previous: Pick<CatalogSnapshot, 'epg' | 'epgFreshness' | 'createdAt'> | null;
  window: { from: number; to: number };
}

export interface MergedEpg {
  epg: Record<string, EpgEvent[]>;
  /** Channel id → when its guide was last read in full (epoch seconds). */
  freshness: Record<string, number>;
  /** Channels whose guide comes from an earlier refresh. */
  carried: number;
}

/**
 * The guide of a snapshot (pure): what this refresh read where it read it; for a channel it could not read (or has
 * not read yet), the previous snapshot's events that have not ended, keeping when they were read; failing those,
 * the now/next read per bouquet. A refresh that loses part of the EPG therefore never loses the guide it had.
 */
export function mergeEpg(sources: EpgSources): MergedEpg {
  const merged: MergedEpg = { epg: {}, freshness: {}, carried: 0 };
  const previousReadAt = sources.previous ? Math.floor(Date.parse(sources.previous.createdAt) / 1000) : 0;
  for (const channel of sources.channels) {
    if (channel.kind === 'iptv') continue;
    const fetched = sources.fetched.get(channel.id);
    if (fetched) {
      if (fetched.length > 0) merged.epg[channel.id] = fetched;
      merged.freshness[channel.id] = sources.fetchedAt;
      continue;
    }
    const carried = stillRunning(sources.previous?.epg[channel.id], sources.window);
    const nowNext = sources.nowNext?.get(channel.id) ?? [];
    if (carried.length > 0 && carried.length >= nowNext.length) {
      merged.epg[channel.id] = carried;
      merged.freshness[channel.id] = sources.previous?.epgFreshness?.[channel.id] ?? previousReadAt;
      merged.carried++;
    } else if (nowNext.length > 0) {
      merged.epg[channel.id] = nowNext;
    }
  }
  return merged;
}

/** Events that have not ended by the window's start and start before its end. */
function stillRunning(
  events: readonly EpgEvent[] | undefined,
  window: { from: number; to: number },
): EpgEvent[] {
  if (!events) return [];
  return events.filter((event) => event.stop > window.from && event.start < window.to);
}
