import {
  SnapshotLookup,
  type CatalogSnapshot,
  type Channel,
  type ChannelEvent,
  type EpgEvent,
} from '@e2gate/contracts';
import { accentInsensitiveMatcher } from './text-match.js';

/**
 * The shared channel and bouquet lookups plus what the catalog's queries need (EPG ranges, now/next, search) over
 * one snapshot, built once when the snapshot becomes current.
 */
export class SnapshotIndex extends SnapshotLookup {
  /** Every event of every channel, ordered by start, for search (references, not copies). */
  private readonly timeline: { channelId: string; event: EpgEvent }[];

  constructor(readonly snapshot: CatalogSnapshot) {
    super(snapshot);
    this.timeline = Object.entries(snapshot.epg)
      .flatMap(([channelId, events]) => events.map((event) => ({ channelId, event })))
      .sort((a, b) => a.event.start - b.event.start || a.channelId.localeCompare(b.channelId));
  }

  get version(): string {
    return this.snapshot.version;
  }

  events(channel: Channel): EpgEvent[] {
    return this.snapshot.epg[channel.id] ?? [];
  }

  /** Events of a channel overlapping [from, to). */
  eventsBetween(channel: Channel, from: number, to: number): EpgEvent[] {
    const events = this.events(channel);
    const first = firstEndingAfter(events, from);
    const out: EpgEvent[] = [];
    for (let index = first; index < events.length; index++) {
      const event = events[index] as EpgEvent;
      if (event.start >= to) break;
      out.push(event);
    }
    return out;
  }

  nowNext(channel: Channel, at: number): { now?: EpgEvent; next?: EpgEvent } {
    const events = this.events(channel);
    const index = firstEndingAfter(events, at);
    const candidate = events[index];
    if (!candidate) return {};
    if (candidate.start <= at) {
      const next = events[index + 1];
      return next ? { now: candidate, next } : { now: candidate };
    }
    return { next: candidate };
  }

  /** Events whose title, subtitle or description contain `query` (case/accent-insensitive), by start. */
  search(
    query: string,
    options: { from: number; to: number; limit: number },
  ): { events: ChannelEvent[]; truncated: boolean } {
    const matches = accentInsensitiveMatcher(query);
    const out: ChannelEvent[] = [];
    for (const { channelId, event } of this.timeline) {
      if (event.stop <= options.from) continue;
      if (event.start >= options.to) break;
      if (
        matches(event.title) ||
        (event.subtitle && matches(event.subtitle)) ||
        (event.description && matches(event.description))
      ) {
        if (out.length === options.limit) return { events: out, truncated: true };
        out.push({ ...event, channelId });
      }
    }
    return { events: out, truncated: false };
  }
}

/** Index of the first event whose stop is after `instant` (events sorted and non-overlapping). */
function firstEndingAfter(events: readonly EpgEvent[], instant: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((events[mid] as EpgEvent).stop <= instant) low = mid + 1;
    else high = mid;
  }
  return low;
}
