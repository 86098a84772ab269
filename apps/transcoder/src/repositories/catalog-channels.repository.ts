import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type TranscoderConfig } from '@e2gate/config';
import {
  Bucket,
  CatalogMetaKey,
  decodeStoredSnapshotHead,
  parseCatalogMeta,
  SnapshotLookup,
  type SnapshotHead,
} from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

/** The channel list of one snapshot version, with the lookup every service resolves channel ids with. */
export interface CatalogChannels {
  head: SnapshotHead;
  lookup: SnapshotLookup;
}

/**
 * The catalog's channel list as the transcoder needs it (references, service ids, the receiver's tuner count):
 * the head of the current snapshot, validated, without its guide. Loaded again only when the version changes.
 */
@Injectable()
export class CatalogChannelsRepository {
  private cached: { version: string; channels: Promise<CatalogChannels> } | null = null;

  constructor(
    private readonly nats: NatsConnectionService,
    @Inject(APP_CONFIG) private readonly config: TranscoderConfig,
  ) {}

  /** The current channel list, or null when the catalog has published none. */
  async current(): Promise<CatalogChannels | null> {
    const kv = await (await this.nats.kvm()).open(Bucket.CatalogMeta);
    const entry = await kv.get(CatalogMetaKey.Current);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
    const meta = parseCatalogMeta(entry.string());
    if (this.cached?.version !== meta.version) {
      const channels = this.load(meta);
      this.cached = { version: meta.version, channels };
      channels.catch(() => {
        if (this.cached?.channels === channels) this.cached = null;
      });
    }
    return this.cached.channels;
  }

  private async load(meta: ReturnType<typeof parseCatalogMeta>): Promise<CatalogChannels> {
    const store = await (await this.nats.objm()).open(Bucket.Catalog);
    const blob = await store.getBlob(meta.objectName);
    if (!blob) throw new Error(`snapshot object ${meta.objectName} is missing`);
    const head = await decodeStoredSnapshotHead(blob, meta, this.config.snapshotReadLimits);
    return { head, lookup: new SnapshotLookup(head) };
  }
}
