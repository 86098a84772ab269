import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import {
  Bucket,
  CatalogMetaKey,
  decodeSnapshot,
  encodeSnapshot,
  type CatalogMetaRecord,
  type CatalogSnapshot,
} from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

const SNAPSHOT_FILE = 'snapshot.json.gz';
const META_FILE = 'meta.json';
const KEEP_OBJECTS = 2;

/**
 * Where snapshots live: the `catalog` Object Store (for every service), the `catalog-meta` KV (`current`),
 * and the data dir (so a restart with NATS or the receiver down still has the last good snapshot).
 */
@Injectable()
export class SnapshotStoreRepository {
  private readonly logger = new Logger(SnapshotStoreRepository.name);
  private readonly dir: string;

  constructor(
    @Inject(APP_CONFIG) config: CatalogConfig,
    private readonly nats: NatsConnectionService,
  ) {
    this.dir = join(config.dataDir, 'catalog');
  }

  async loadCurrentFromNats(): Promise<{ snapshot: CatalogSnapshot; meta: CatalogMetaRecord } | null> {
    const entry = await (await this.metaKv()).get(CatalogMetaKey.Current);
    if (!entry || entry.length === 0) return null;
    const meta = entry.json<CatalogMetaRecord>();
    const blob = await (await this.objects()).getBlob(meta.objectName);
    if (!blob) return null;
    return { snapshot: await decodeSnapshot(blob), meta };
  }

  async loadSnapshotFromNats(objectName: string): Promise<CatalogSnapshot | null> {
    const blob = await (await this.objects()).getBlob(objectName);
    return blob ? await decodeSnapshot(blob) : null;
  }

  async loadFromDisk(): Promise<{ snapshot: CatalogSnapshot; meta: CatalogMetaRecord } | null> {
    try {
      const [blob, metaText] = await Promise.all([
        readFile(join(this.dir, SNAPSHOT_FILE)),
        readFile(join(this.dir, META_FILE), 'utf8'),
      ]);
      return { snapshot: await decodeSnapshot(blob), meta: JSON.parse(metaText) as CatalogMetaRecord };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn(`ignoring unreadable snapshot in ${this.dir}: ${(error as Error).message}`);
      }
      return null;
    }
  }

  /** Stores a new snapshot everywhere: data dir (atomic rename), Object Store, then the meta record. */
  async save(snapshot: CatalogSnapshot, meta: CatalogMetaRecord): Promise<void> {
    const blob = await encodeSnapshot(snapshot);
    await this.writeDisk(blob, meta);
    const store = await this.objects();
    if (!(await store.info(meta.objectName))) {
      await store.putBlob({ name: meta.objectName, metadata: { version: snapshot.version } }, blob);
    }
    await this.putMeta(meta);
    await this.prune(store, meta.objectName);
  }

  /** Updates the meta record only (stale marking, unchanged refreshes). */
  async saveMeta(meta: CatalogMetaRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(join(this.dir, META_FILE), JSON.stringify(meta));
    await this.putMeta(meta);
  }

  /** Republishes a snapshot loaded from disk when NATS lost it (fresh server, wiped store). */
  async ensureInNats(snapshot: CatalogSnapshot, meta: CatalogMetaRecord): Promise<void> {
    const store = await this.objects();
    if (!(await store.info(meta.objectName))) {
      await store.putBlob(
        { name: meta.objectName, metadata: { version: snapshot.version } },
        await encodeSnapshot(snapshot),
      );
    }
    await this.putMeta(meta);
  }

  private async putMeta(meta: CatalogMetaRecord): Promise<void> {
    await (await this.metaKv()).put(CatalogMetaKey.Current, JSON.stringify(meta));
  }

  private async writeDisk(blob: Buffer, meta: CatalogMetaRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(join(this.dir, SNAPSHOT_FILE), blob);
    await atomicWrite(join(this.dir, META_FILE), JSON.stringify(meta));
  }

  private async prune(store: ObjectStore, keep: string): Promise<void> {
    const snapshots = (await store.list())
      .filter((info) => info.name.startsWith('snapshot-') && info.name !== keep && !info.deleted)
      .sort((a, b) => b.mtime.localeCompare(a.mtime));
    for (const stale of snapshots.slice(KEEP_OBJECTS - 1)) {
      await store.delete(stale.name);
    }
  }

  private async metaKv(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.CatalogMeta);
  }

  private async objects(): Promise<ObjectStore> {
    return (await this.nats.objm()).open(Bucket.Catalog);
  }
}

async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o644 });
  await rename(tmp, path);
}
