import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import {
  Bucket,
  CatalogMetaKey,
  decodeStoredSnapshot,
  E2gateError,
  encodeSnapshot,
  ErrorCode,
  parseCatalogMeta,
  snapshotDigest,
  snapshotObjectName,
  type CatalogMetaRecord,
  type CatalogSnapshot,
} from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

const META_FILE = 'meta.json';
/** The layout before content-named files: one snapshot file beside the meta record. */
const LEGACY_SNAPSHOT_FILE = 'snapshot.json.gz';
const KEEP_OBJECTS = 2;
const NATS_DIGEST_PREFIX = 'SHA-256=';

export interface LoadedSnapshot {
  snapshot: CatalogSnapshot;
  meta: CatalogMetaRecord;
}

/** What an object in the store holds compared with what the meta record names. */
export type ObjectCheck = 'ok' | 'missing' | 'mismatch';

/**
 * Where snapshots live: the `catalog` Object Store (for every service), the `catalog-meta` KV (`current`), and the
 * data dir (so a restart with NATS or the receiver down still has the last good snapshot).
 *
 * Every stored snapshot is named after its content (`snapshot-<version>-<digest>.json.gz`) and never rewritten; the
 * meta record, which names it and carries its digest, is the commit point: on disk it replaces `meta.json` by rename
 * only after the snapshot file is complete, so the data dir always holds a meta record and the bytes it names.
 */
@Injectable()
export class SnapshotStoreRepository {
  private readonly logger = new Logger(SnapshotStoreRepository.name);
  private readonly dir: string;
  private readonly limits: CatalogConfig['snapshotReadLimits'];

  constructor(
    @Inject(APP_CONFIG) config: CatalogConfig,
    private readonly nats: NatsConnectionService,
  ) {
    this.dir = join(config.dataDir, 'catalog');
    this.limits = config.snapshotReadLimits;
  }

  /** The meta record in NATS (validated), or null when there is none. */
  async currentMetaInNats(): Promise<CatalogMetaRecord | null> {
    const entry = await (await this.metaKv()).get(CatalogMetaKey.Current);
    if (!entry || entry.length === 0) return null;
    return parseCatalogMeta(entry.string());
  }

  async loadCurrentFromNats(): Promise<LoadedSnapshot | null> {
    const meta = await this.currentMetaInNats();
    if (!meta) return null;
    const snapshot = await this.loadSnapshotFromNats(meta);
    return snapshot ? { snapshot, meta } : null;
  }

  /** The snapshot a meta record names, verified against its digest and the snapshot schema. */
  async loadSnapshotFromNats(meta: CatalogMetaRecord): Promise<CatalogSnapshot | null> {
    const blob = await (await this.objects()).getBlob(meta.objectName);
    return blob ? this.decodeVerified(blob, meta) : null;
  }

  async loadFromDisk(): Promise<LoadedSnapshot | null> {
    let metaText: string;
    try {
      metaText = await readFile(join(this.dir, META_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.ignoreDisk(error);
      return null;
    }
    try {
      const meta = parseCatalogMeta(metaText);
      const blob = await readFile(join(this.dir, meta.digest ? meta.objectName : LEGACY_SNAPSHOT_FILE));
      return { snapshot: await this.decodeVerified(blob, meta), meta };
    } catch (error) {
      this.ignoreDisk(error);
      return null;
    }
  }

  /**
   * Publishes a new snapshot: its content-named file in the data dir, the object in NATS (verified), then the meta
   * record (data dir by rename, then KV). Returns the meta record as stored (object name and digest filled in).
   * A failure before the meta record leaves the previous snapshot in force everywhere.
   */
  async save(snapshot: CatalogSnapshot, meta: CatalogMetaRecord): Promise<CatalogMetaRecord> {
    const blob = await encodeSnapshot(snapshot);
    const digest = snapshotDigest(blob);
    const stored: CatalogMetaRecord = {
      ...meta,
      objectName: snapshotObjectName(snapshot.version, digest),
      digest,
    };
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(join(this.dir, stored.objectName), blob);
    await this.putObject(stored, blob);
    await atomicWrite(join(this.dir, META_FILE), JSON.stringify(stored));
    await this.putMeta(stored);
    await this.pruneDisk(stored.objectName);
    await this.pruneObjects(stored.objectName).catch((error: Error) =>
      this.logger.warn(`could not prune old snapshot objects: ${error.message}`),
    );
    return stored;
  }

  /** Updates the meta record of the served snapshot (stale marking): data dir first, then KV. */
  async saveMetaToDisk(meta: CatalogMetaRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(join(this.dir, META_FILE), JSON.stringify(meta));
  }

  async putMeta(meta: CatalogMetaRecord): Promise<void> {
    await (await this.metaKv()).put(CatalogMetaKey.Current, JSON.stringify(meta));
  }

  /** Whether the Object Store holds exactly the bytes `meta` names. */
  async checkObject(meta: CatalogMetaRecord): Promise<ObjectCheck> {
    const info = await (await this.objects()).info(meta.objectName);
    if (!info || info.deleted) return 'missing';
    if (!meta.digest) return 'ok';
    return sameDigest(info.digest, meta.digest) ? 'ok' : 'mismatch';
  }

  /** Puts the snapshot file the data dir holds for `meta` into NATS again (after NATS lost its store). */
  async republish(meta: CatalogMetaRecord): Promise<void> {
    if (!meta.digest)
      throw new Error(`snapshot ${meta.version} has no digest; it is republished by a refresh`);
    const blob = await readFile(join(this.dir, meta.objectName));
    if (snapshotDigest(blob) !== meta.digest) {
      throw new E2gateError(
        ErrorCode.SnapshotInvalid,
        `data dir copy of ${meta.objectName} fails its digest`,
      );
    }
    await this.putObject(meta, blob);
  }

  private decodeVerified(blob: Uint8Array, meta: CatalogMetaRecord): Promise<CatalogSnapshot> {
    return decodeStoredSnapshot(blob, meta, this.limits);
  }

  /**
   * Puts the object unless the store holds it with the same digest; an object of that name with other bytes
   * (a store restored from elsewhere, a forged put) is replaced. The store's digest is checked afterwards.
   */
  private async putObject(meta: CatalogMetaRecord, blob: Uint8Array): Promise<void> {
    const store = await this.objects();
    const check = await this.checkObject(meta);
    if (check === 'ok') return;
    if (check === 'mismatch') {
      this.logger.error(`object ${meta.objectName} holds other bytes than its name says; replacing it`);
      await store.delete(meta.objectName);
    }
    const info = await store.putBlob({ name: meta.objectName, metadata: { version: meta.version } }, blob);
    if (meta.digest && !sameDigest(info.digest, meta.digest)) {
      throw new E2gateError(ErrorCode.Internal, `object ${meta.objectName} was stored with another digest`);
    }
  }

  private async pruneDisk(keep: string): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const snapshotFile = name.startsWith('snapshot-') || name === LEGACY_SNAPSHOT_FILE;
      if (!snapshotFile || name === keep) continue;
      await rm(join(this.dir, name), { force: true });
    }
  }

  private async pruneObjects(keep: string): Promise<void> {
    const store = await this.objects();
    const snapshots = (await store.list())
      .filter((info) => info.name.startsWith('snapshot-') && info.name !== keep && !info.deleted)
      .sort((a, b) => b.mtime.localeCompare(a.mtime));
    for (const old of snapshots.slice(KEEP_OBJECTS - 1)) {
      await store.delete(old.name);
    }
  }

  private ignoreDisk(error: unknown): void {
    this.logger.warn(`ignoring unusable snapshot in ${this.dir}: ${(error as Error).message}`);
  }

  private async metaKv(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.CatalogMeta);
  }

  private async objects(): Promise<ObjectStore> {
    return (await this.nats.objm()).open(Bucket.Catalog);
  }
}

/** Whether a NATS Object Store digest (`SHA-256=<base64url, padded>`) is the SHA-256 given in hex. */
function sameDigest(natsDigest: string, hex: string): boolean {
  if (!natsDigest.startsWith(NATS_DIGEST_PREFIX)) return false;
  return Buffer.from(natsDigest.slice(NATS_DIGEST_PREFIX.length), 'base64url').toString('hex') === hex;
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o644 });
  await rename(tmp, path);
}
