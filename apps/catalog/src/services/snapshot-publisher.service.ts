import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  E2gateError,
  errorMessage,
  ErrorCode,
  type CatalogMetaRecord,
  type CatalogSnapshot,
} from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';
import { ClockRepository } from '@e2gate/observability';
import { CatalogMetrics } from '../metrics/catalog.metrics.js';
import { SnapshotStoreRepository, type LoadedSnapshot } from '../repositories/snapshot-store.repository.js';
import { CatalogStateService } from './catalog-state.service.js';
import { markStale } from './snapshot-builder.js';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** How often NATS is checked for what this replica serves even when nothing failed (a store lost while up). */
const AUDIT_EVERY_MS = 60_000;

/**
 * What this replica serves and what NATS holds for everyone else, kept in step. Publishing a snapshot, adopting one
 * from the cluster or the data dir, and marking it stale all go through here. When a write to NATS fails (NATS
 * down, store lost), the replica keeps serving and retries until NATS holds its snapshot, its meta record and its
 * stale mark again, unless another replica has published something newer meanwhile, which it then adopts.
 */
@Injectable()
export class SnapshotPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SnapshotPublisher.name);
  private pending = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private audit: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: SnapshotStoreRepository,
    private readonly state: CatalogStateService,
    private readonly nats: NatsConnectionService,
    private readonly metrics: CatalogMetrics,
    private readonly clock: ClockRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.nats.onReconnect(() => this.schedule(RETRY_MIN_MS));
    this.audit = setInterval(() => void this.reconcile(), AUDIT_EVERY_MS);
    this.audit.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.audit) clearInterval(this.audit);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** True while NATS lacks what this replica serves. */
  get publicationPending(): boolean {
    return this.pending;
  }

  /** Stores a new snapshot everywhere and serves it; on failure the previous one stays in force. */
  async publish(snapshot: CatalogSnapshot, meta: CatalogMetaRecord): Promise<CatalogMetaRecord> {
    const stored = await this.store.save(snapshot, meta);
    this.install(snapshot, stored);
    this.settled();
    return stored;
  }

  /** Marks the served snapshot stale after a failed refresh; the mark reaches NATS now or once it can. */
  async markStale(error: { code: string; message: string }): Promise<boolean> {
    const previous = this.state.meta;
    if (!previous) return false;
    const stale = markStale(previous, error, new Date(this.clock.nowMs()));
    this.state.updateMeta(stale);
    this.metrics.snapshotServed(stale);
    try {
      await this.store.saveMetaToDisk(stale);
      await this.store.putMeta(stale);
    } catch (saveError) {
      this.logger.warn(`stale mark not stored yet (${errorMessage(saveError)}); retrying until it is`);
      this.failed();
    }
    return true;
  }

  /** At start: the snapshot in NATS, else the one in the data dir (put back into NATS). */
  async loadInitial(): Promise<void> {
    const fromNats = await this.store.loadCurrentFromNats().catch((error: unknown) => {
      this.rejected('nats', error);
      return null;
    });
    if (fromNats) {
      this.install(fromNats.snapshot, fromNats.meta);
      this.logger.log(`serving snapshot ${fromNats.meta.version} from NATS`);
      return;
    }
    const fromDisk = await this.store.loadFromDisk();
    if (!fromDisk) {
      this.logger.log('no stored snapshot yet; waiting for the first refresh');
      return;
    }
    this.install(fromDisk.snapshot, fromDisk.meta);
    this.logger.log(`serving snapshot ${fromDisk.meta.version} from the data dir`);
    await this.reconcile();
  }

  /** Another replica published: serve what NATS holds now (when it is valid and not older). */
  async adoptFromNats(): Promise<void> {
    await this.tryAdopt().catch((error: unknown) => this.rejected('nats', error));
  }

  /** Serves a snapshot (the index is rebuilt only when the content version changed). */
  install(snapshot: CatalogSnapshot, meta: CatalogMetaRecord): void {
    this.state.install(snapshot, meta);
    this.metrics.snapshotServed(meta);
  }

  /**
   * Makes NATS hold what this replica serves: its object (verified by digest) and its meta record. A newer record
   * of another replica is adopted instead. Runs after a failed write, after every reconnect and once a minute.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce().finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const served = this.state.meta;
    if (!served || this.stopped) return;
    try {
      const current = await this.store.currentMetaInNats().catch((error: unknown) => {
        if (!(error instanceof E2gateError && error.code === ErrorCode.SnapshotInvalid)) throw error;
        this.rejected('nats', error);
        return null; // a forged or broken record is replaced by ours
      });
      const adopted = current && this.isNewer(current, served) ? await this.tryAdopt() : 'not-newer';
      if (adopted !== 'adopted') {
        // Ours is the newest valid snapshot (or NATS's newer one cannot be served): make NATS hold ours.
        if ((await this.store.checkObject(served)) !== 'ok') {
          this.logger.warn(`NATS lacks snapshot ${served.objectName}; publishing it again from the data dir`);
          await this.store.republish(served);
        }
        if (adopted === 'invalid' || !current || JSON.stringify(current) !== JSON.stringify(served)) {
          await this.store.putMeta(served);
        }
      }
      if (this.pending) this.logger.log(`NATS holds snapshot ${served.version} again`);
      this.settled();
    } catch (error) {
      if (!this.pending) this.logger.warn(`NATS does not hold the served snapshot: ${errorMessage(error)}`);
      this.failed();
    }
  }

  /** Serves the snapshot NATS names now; `invalid` when it fails validation (other errors are thrown). */
  private async tryAdopt(): Promise<'adopted' | 'invalid' | 'not-newer'> {
    let loaded: LoadedSnapshot | null;
    try {
      loaded = await this.store.loadCurrentFromNats();
    } catch (error) {
      if (!(error instanceof E2gateError && error.code === ErrorCode.SnapshotInvalid)) throw error;
      this.rejected('nats', error);
      return 'invalid';
    }
    if (!loaded || this.isOlder(loaded.meta)) return 'not-newer';
    await this.adopt(loaded);
    return 'adopted';
  }

  private async adopt(loaded: LoadedSnapshot): Promise<void> {
    this.install(loaded.snapshot, loaded.meta);
    await this.store
      .saveMetaToDisk(loaded.meta)
      .catch((error: unknown) => this.logger.warn(`data dir not updated: ${errorMessage(error)}`));
  }

  /** Newer: refreshed later, or the same refresh with a later stale mark. */
  private isNewer(candidate: CatalogMetaRecord, than: CatalogMetaRecord): boolean {
    return rank(candidate) > rank(than);
  }

  private isOlder(candidate: CatalogMetaRecord): boolean {
    const served = this.state.meta;
    return served !== null && rank(candidate) < rank(served);
  }

  private failed(): void {
    this.pending = true;
    this.metrics.publication(true);
    this.schedule(this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private settled(): void {
    this.pending = false;
    this.retryMs = RETRY_MIN_MS;
    this.metrics.publication(false);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.reconcile();
    }, delayMs);
    this.retryTimer.unref();
  }

  private rejected(source: 'nats' | 'disk', error: unknown): void {
    if (error instanceof E2gateError && error.code === ErrorCode.SnapshotInvalid) {
      this.metrics.snapshotRejected(source);
      this.logger.error(`${errorMessage(error)} (read from ${source}); keeping the snapshot served`);
    } else {
      this.logger.warn(`no snapshot from ${source}: ${errorMessage(error)}`);
    }
  }
}

function rank(meta: CatalogMetaRecord): string {
  return `${meta.refreshedAt}|${meta.lastError?.at ?? ''}`;
}
