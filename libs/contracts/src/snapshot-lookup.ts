import type { Bouquet, CatalogSnapshot, Channel } from './catalog-snapshot.js';
import { hashOfChannelId } from './channel-id.js';

/**
 * Channel and bouquet lookups over one catalog snapshot, the same in every service. Built once per snapshot.
 *
 * Channels: by id; an id that is no longer in the snapshot (the channel was renamed, so its slug changed) resolves
 * by its hash part when exactly one channel carries that hash. A hash that two channels share resolves to nothing:
 * either could be meant, and answering with the wrong channel is worse than answering with none.
 *
 * Bouquets: by id, else by name: an exact match first, then one that differs only in case; among bouquets with the
 * same name, the first in snapshot (receiver) order.
 */
export class SnapshotLookup {
  private readonly channelsById = new Map<string, Channel>();
  /** Hash part → the one channel carrying it; null when several do. */
  private readonly channelsByHash = new Map<string, Channel | null>();
  private readonly bouquetsById = new Map<string, Bouquet>();
  private readonly bouquetsByName = new Map<string, Bouquet>();
  private readonly bouquetsByFoldedName = new Map<string, Bouquet>();

  constructor(snapshot: Pick<CatalogSnapshot, 'channels' | 'bouquets'>) {
    for (const channel of snapshot.channels) {
      this.channelsById.set(channel.id, channel);
      const hash = hashOfChannelId(channel.id);
      if (hash) this.channelsByHash.set(hash, this.channelsByHash.has(hash) ? null : channel);
    }
    for (const bouquet of snapshot.bouquets) {
      this.bouquetsById.set(bouquet.id, bouquet);
      setIfAbsent(this.bouquetsByName, bouquet.name, bouquet);
      setIfAbsent(this.bouquetsByFoldedName, bouquet.name.toLowerCase(), bouquet);
    }
  }

  channel(id: string): Channel | undefined {
    const exact = this.channelsById.get(id);
    if (exact) return exact;
    const hash = hashOfChannelId(id);
    if (!hash) return undefined;
    return this.channelsByHash.get(hash) ?? undefined; // null: a hash several channels share
  }

  bouquet(idOrName: string): Bouquet | undefined {
    return (
      this.bouquetsById.get(idOrName) ??
      this.bouquetsByName.get(idOrName) ??
      this.bouquetsByFoldedName.get(idOrName.toLowerCase())
    );
  }
}

function setIfAbsent<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key)) map.set(key, value);
}
