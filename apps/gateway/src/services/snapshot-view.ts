import type { Bouquet, CatalogSnapshot, Channel } from '@e2gate/contracts';

const ID_HASH = /-([0-9a-f]{8})(?:[0-9a-f]{4})*$/;

/** A loaded snapshot with the lookups the gateway needs; immutable once built. */
export class SnapshotView {
  readonly version: string;
  private readonly byId = new Map<string, Channel>();
  private readonly byHash = new Map<string, Channel>();
  private readonly byNumber = new Map<number, Channel>();
  private readonly bouquetByKey = new Map<string, Bouquet>();
  readonly piconNames: ReadonlySet<string>;

  constructor(readonly snapshot: CatalogSnapshot) {
    this.version = snapshot.version;
    for (const channel of snapshot.channels) {
      this.byId.set(channel.id, channel);
      this.byNumber.set(channel.number, channel);
      const hash = ID_HASH.exec(channel.id)?.[1];
      if (hash && !this.byHash.has(hash)) this.byHash.set(hash, channel);
    }
    for (const bouquet of snapshot.bouquets) {
      this.bouquetByKey.set(bouquet.id, bouquet);
      if (!this.bouquetByKey.has(bouquet.name)) this.bouquetByKey.set(bouquet.name, bouquet);
    }
    this.piconNames = new Set(
      snapshot.channels.map((channel) => channel.picon).filter((name): name is string => name !== null),
    );
  }

  /** By id; an id whose name part changed (renamed channel) still resolves by its hash, as in the catalog. */
  channel(id: string): Channel | undefined {
    const exact = this.byId.get(id);
    if (exact) return exact;
    const hash = ID_HASH.exec(id)?.[1];
    return hash ? this.byHash.get(hash) : undefined;
  }

  channelByNumber(number: number): Channel | undefined {
    return this.byNumber.get(number);
  }

  /** By bouquet id or exact name. */
  bouquet(key: string): Bouquet | undefined {
    return this.bouquetByKey.get(key);
  }
}
