import {
  readStoredGuide,
  scanStoredSnapshot,
  SnapshotLookup,
  type CatalogMetaRecord,
  type Channel,
  type EpgEvent,
  type SnapshotHead,
  type SnapshotReadLimits,
} from '@e2gate/contracts';
import { hasProgrammes, type GuideSource } from '../rendering/xmltv-renderer.js';

/**
 * A loaded snapshot: its head with the shared channel and bouquet lookups plus the gateway's own; immutable once
 * built. The guide is not held parsed — a 1,500-channel week is hundreds of MiB as objects. The validated stored
 * bytes (gzipped, 6.7 MiB for that week) stay, and the XMLTV render reads them again one channel at a time.
 */
export class SnapshotView extends SnapshotLookup implements GuideSource {
  readonly version: string;
  private readonly byNumber = new Map<number, Channel>();
  readonly piconNames: ReadonlySet<string>;

  /** Validates stored snapshot bytes (digest, version, schema) and keeps them with the parsed head. */
  static async fromStored(
    blob: Uint8Array,
    meta: Pick<CatalogMetaRecord, 'objectName' | 'version' | 'digest'>,
    limits: SnapshotReadLimits,
  ): Promise<SnapshotView> {
    const withProgrammes = new Set<string>();
    const head = await scanStoredSnapshot(
      blob,
      meta,
      (channelId, events) => {
        if (hasProgrammes(events)) withProgrammes.add(channelId);
      },
      limits,
    );
    return new SnapshotView(head, blob, withProgrammes, limits);
  }

  private constructor(
    readonly snapshot: SnapshotHead,
    private readonly stored: Uint8Array,
    readonly channelsWithProgrammes: ReadonlySet<string>,
    private readonly limits: SnapshotReadLimits,
  ) {
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

  guide(): AsyncIterable<readonly [string, EpgEvent[]]> {
    return readStoredGuide(this.stored, this.limits);
  }
}
