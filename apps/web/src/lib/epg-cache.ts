import { api } from './api.js';
import type { EpgEvent, Page } from './types.js';

/** The guide's programme data, fetched in blocks (channels × 6 hours) as the grid scrolls, and kept. */

export const BLOCK_SECONDS = 6 * 3600;
const CHANNELS_PER_CALL = 100;
const EVENTS_PER_CALL = 2000;
/** Blocks kept at most (1,500 channels × a week is 42,000 blocks; the grid shows a few dozen at a time). */
const MAX_BLOCKS = 4000;

export class EpgCache {
  private readonly events = new Map<string, Map<number, EpgEvent>>();
  private readonly blocks = new Map<string, 'loading' | 'loaded'>();

  constructor(private readonly onLoaded: () => void) {}

  /** Programmes of a channel that overlap `[from, to)`, in time order. */
  between(channelId: string, from: number, to: number): EpgEvent[] {
    const events = this.events.get(channelId);
    if (!events) return [];
    return [...events.values()]
      .filter((event) => event.stop > from && event.start < to)
      .sort((a, b) => a.start - b.start);
  }

  /** Fetches what is missing of `channelIds` × the blocks overlapping `[from, to)`. */
  want(channelIds: string[], from: number, to: number): void {
    for (let block = blockOf(from); block < to; block += BLOCK_SECONDS) {
      const missing = channelIds.filter((id) => !this.blocks.has(`${id}@${block}`));
      for (let start = 0; start < missing.length; start += CHANNELS_PER_CALL) {
        void this.fetch(missing.slice(start, start + CHANNELS_PER_CALL), block);
      }
    }
  }

  private async fetch(channelIds: string[], block: number): Promise<void> {
    for (const id of channelIds) this.blocks.set(`${id}@${block}`, 'loading');
    this.evictIfFull();
    try {
      for (let offset = 0; ; offset += EVENTS_PER_CALL) {
        const page = await api<Page<EpgEvent>>(
          `/api/v1/epg?channel=${channelIds.join(',')}&from=${block}&to=${block + BLOCK_SECONDS}` +
            `&offset=${offset}&limit=${EVENTS_PER_CALL}`,
        );
        for (const event of page.items) {
          let events = this.events.get(event.channelId);
          if (!events) this.events.set(event.channelId, (events = new Map()));
          events.set(event.id, event);
        }
        if (offset + page.items.length >= page.total || page.items.length === 0) break;
      }
      for (const id of channelIds) this.blocks.set(`${id}@${block}`, 'loaded');
      this.onLoaded();
    } catch {
      for (const id of channelIds) this.blocks.delete(`${id}@${block}`);
    }
  }

  private evictIfFull(): void {
    if (this.blocks.size <= MAX_BLOCKS) return;
    this.blocks.clear();
    this.events.clear();
  }
}

export function blockOf(epochSeconds: number): number {
  return Math.floor(epochSeconds / BLOCK_SECONDS) * BLOCK_SECONDS;
}
