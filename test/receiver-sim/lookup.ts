/** Indexes over the dataset: the box's service, bouquet and transponder lookups. */
import type { SimBouquet, SimChannel, SimDataset } from './model.js';
import { FLAG_GROUP, decodeRef, parseRef, serviceKey } from './refs.js';

function bouquetKey(ref: string): string {
  return decodeRef(ref).trim().replace(/\s+/g, ' ').toLowerCase();
}

export class DatasetIndex {
  private readonly byService = new Map<string, SimChannel>();
  private readonly byBouquet = new Map<string, SimBouquet>();
  private readonly byTransponder = new Map<string, SimChannel[]>();

  constructor(readonly dataset: SimDataset) {
    for (const channel of dataset.channels) {
      const key = serviceKey(channel.ref);
      if (key) this.byService.set(key, channel);
      const onTransponder = this.byTransponder.get(channel.transponder) ?? [];
      onTransponder.push(channel);
      this.byTransponder.set(channel.transponder, onTransponder);
    }
    for (const bouquet of [...dataset.bouquets, ...dataset.nestedBouquets]) {
      this.byBouquet.set(bouquetKey(bouquet.ref), bouquet);
    }
  }

  /** Bouquets as listed in bouquets.tv or bouquets.radio. */
  listedBouquets(kind: 'tv' | 'radio'): SimBouquet[] {
    return this.dataset.bouquets.filter((bouquet) => bouquet.kind === kind);
  }

  /** Any bouquet, sub-bouquet or alternatives group by ref (case, spacing and `%xx` encoding ignored). */
  bouquet(ref: string): SimBouquet | null {
    return this.byBouquet.get(bouquetKey(ref)) ?? null;
  }

  /**
   * The playable service behind a ref, as the box resolves it: case-insensitive, with or without trailing colon,
   * `%3a` or `:`, the relay-embedded form, and alternatives groups (first member).
   */
  service(ref: string): SimChannel | null {
    const parsed = parseRef(ref);
    if (parsed?.flags === FLAG_GROUP) {
      const group = this.bouquet(ref);
      const first = group?.entries.find((entry) => entry.kind === 'channel');
      return first?.kind === 'channel' ? first.channel : null;
    }
    const key = serviceKey(ref);
    return key ? (this.byService.get(key) ?? null) : null;
  }

  /** All services of the channel's transponder (what the box's PAT lists), ordered by SID. */
  transponderServices(channel: SimChannel): SimChannel[] {
    return [...(this.byTransponder.get(channel.transponder) ?? [channel])].sort((a, b) => a.sid - b.sid);
  }

  /** The whitelist_streamrelay check, by service identity. */
  isRelayed(ref: string): boolean {
    return this.service(ref)?.encrypted ?? false;
  }
}

const indexes = new WeakMap<SimDataset, DatasetIndex>();

/** One index per dataset, built on first use. */
export function indexFor(dataset: SimDataset): DatasetIndex {
  let index = indexes.get(dataset);
  if (!index) {
    index = new DatasetIndex(dataset);
    indexes.set(dataset, index);
  }
  return index;
}
