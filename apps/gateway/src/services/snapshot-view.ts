import { SnapshotLookup, type CatalogSnapshot, type Channel } from '@e2gate/contracts';

/** A loaded snapshot with the shared channel and bouquet lookups plus the gateway's own; immutable once built. */
export class SnapshotView extends SnapshotLookup {
  readonly version: string;
  private readonly byNumber = new Map<number, Channel>();
  readonly piconNames: ReadonlySet<string>;

  constructor(readonly snapshot: CatalogSnapshot) {
    super(snapshot);
    this.version = snapshot.version;
    for (const channel of snapshot.channels) this.byNumber.set(channel.number, channel);
    this.piconNames = new Set(
      snapshot.channels.map((channel) => channel.picon).filter((name): name is string => name !== null),
    );
  }

  channelByNumber(number: number): Channel | undefined {
    return this.byNumber.get(number);
  }
}
