import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import { E2gateError, ErrorCode, type CatalogRefreshReply } from '@e2gate/contracts';
import { CatalogMetrics } from '../metrics/catalog.metrics.js';
import { CatalogEventsRepository } from '../repositories/catalog-events.repository.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { RefreshLockRepository } from '../repositories/refresh-lock.repository.js';
import { SnapshotStoreRepository } from '../repositories/snapshot-store.repository.js';
import { CatalogStateService } from './catalog-state.service.js';
import { PiconService } from './picon.service.js';
import { RefreshService } from './refresh.service.js';
import { buildSnapshot, markStale } from './snapshot-builder.js';

interface RunningRefresh {
  refreshId: string;
  done: Promise<void>;
}

/**
 * When and how refreshes run: at start, every interval and on demand; one at a time in the process and
 * in the cluster (KV lock); ended by a watchdog when it hangs; a failure keeps the last good snapshot,
 * marked stale. Also keeps this replica's snapshot in step with refreshes done by other replicas.
 */
@Injectable()
export class RefreshCoordinator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RefreshCoordinator.name);
  private readonly owner = `${hostname()}:${process.pid}`;
  private readonly ownRefreshIds = new Set<string>();
  private current: RunningRefresh | null = null;
  private schedule: NodeJS.Timeout | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: CatalogConfig,
    private readonly refresh: RefreshService,
    private readonly picons: PiconService,
    private readonly state: CatalogStateService,
    private readonly store: SnapshotStoreRepository,
    private readonly lock: RefreshLockRepository,
    private readonly events: CatalogEventsRepository,
    private readonly clock: ClockRepository,
    private readonly metrics: CatalogMetrics,
    private readonly pino: PinoLogger,
  ) {}

  get running(): boolean {
    return this.current !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loadInitialSnapshot();
    void this.request('startup');
    this.schedule = setInterval(() => void this.request('schedule'), this.config.refreshIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    if (this.schedule) clearInterval(this.schedule);
    await this.current?.done.catch(() => undefined);
  }

  /** Starts a refresh, or joins the one running here or on another replica. */
  async request(reason: string): Promise<CatalogRefreshReply> {
    if (this.current) return { refreshId: this.current.refreshId, state: 'joined' };
    const refreshId = randomUUID();
    let release!: () => void;
    const run: RunningRefresh = { refreshId, done: new Promise<void>((resolve) => (release = resolve)) };
    this.current = run; // claimed before the first await, so a concurrent request joins this one
    const taken = await this.lock
      .acquire({ refreshId, owner: this.owner, startedAt: new Date(this.clock.nowMs()).toISOString() })
      .catch((error: Error) => {
        this.logger.warn(`refresh lock unavailable (${error.message}); refreshing without it`);
        return { acquired: true as const };
      });
    if (!taken.acquired) {
      this.current = null;
      release();
      return { refreshId: taken.holder?.refreshId ?? refreshId, state: 'joined' };
    }
    this.rememberOwn(refreshId);
    void this.execute(refreshId, reason).finally(() => {
      this.current = null;
      release();
      void this.lock.release(refreshId).catch(() => undefined);
    });
    return { refreshId, state: 'started' };
  }

  /** Resolves when the refresh with this id (if it runs here) has finished. */
  async settled(): Promise<void> {
    await this.current?.done;
  }

  /** Another replica refreshed (or failed): adopt its snapshot or its stale marking. */
  async syncFromCluster(refreshId: string): Promise<void> {
    if (this.ownRefreshIds.has(refreshId)) return;
    const loaded = await this.store.loadCurrentFromNats();
    if (loaded) this.install(loaded.snapshot, loaded.meta);
  }

  private async execute(refreshId: string, reason: string): Promise<void> {
    const started = this.clock.monotonicMs();
    const controller = new AbortController();
    // Every receiver call of the refresh links to this signal (a few listeners each, removed when done).
    setMaxListeners(256, controller.signal);
    const watchdog = setTimeout(
      () =>
        controller.abort(
          new E2gateError(
            ErrorCode.RefreshTimeout,
            `refresh exceeded ${this.config.refreshTimeoutMs} ms and was abandoned`,
          ),
        ),
      this.config.refreshTimeoutMs,
    );
    await this.pino.runInContext(
      async () => {
        this.logger.log(`refresh started (${reason})`);
        try {
          const work = this.runOnce(refreshId, started, controller.signal);
          await Promise.race([work, rejectOnAbort(controller.signal)]);
        } catch (error) {
          await this.fail(refreshId, started, error);
        } finally {
          clearTimeout(watchdog);
          controller.abort();
        }
      },
      { bindings: { refreshId } },
    );
  }

  private async runOnce(refreshId: string, started: number, signal: AbortSignal): Promise<void> {
    const stage = await this.refresh.readChannels(signal);
    // EPG and picons only need the channel list: fetch them side by side (the receiver limits still apply).
    const [collected, picons] = await Promise.all([
      this.refresh.readEpg(stage, signal),
      this.picons.sync(stage.channels, signal),
    ]);
    collected.partialFailures.push(...picons.failures);
    signal.throwIfAborted();
    const { snapshot, meta } = buildSnapshot(collected, picons.picons, new Date(this.clock.nowMs()));
    const changed = snapshot.version !== this.state.version;
    await this.store.save(snapshot, meta);
    signal.throwIfAborted();
    this.install(snapshot, meta);
    const durationMs = Math.round(this.clock.monotonicMs() - started);
    this.metrics.refreshFinished(changed ? 'success' : 'unchanged', durationMs);
    this.logger.log(
      `refresh done in ${durationMs} ms: ${meta.counts.channels} channels, ${meta.counts.events} events, ` +
        `${meta.partialFailures.length} partial failures, version ${meta.version}${changed ? '' : ' (unchanged)'}`,
    );
    await this.events.refreshed({
      refreshId,
      version: meta.version,
      changed,
      counts: meta.counts,
      partialFailures: meta.partialFailures.length,
      durationMs,
    });
  }

  private async fail(refreshId: string, started: number, error: unknown): Promise<void> {
    const durationMs = Math.round(this.clock.monotonicMs() - started);
    const body =
      error instanceof E2gateError
        ? { code: error.code, message: error.message }
        : { code: ErrorCode.RefreshFailed, message: (error as Error).message };
    this.metrics.refreshFinished('failure', durationMs);
    const previous = this.state.meta;
    if (previous) {
      const stale = markStale(previous, body, new Date(this.clock.nowMs()));
      this.state.updateMeta(stale);
      this.metrics.snapshotServed(stale.counts, stale.refreshedAt, true, stale.partialFailures);
      await this.store
        .saveMeta(stale)
        .catch((saveError: Error) => this.logger.warn(`could not store stale mark: ${saveError.message}`));
    }
    this.logger.error(`refresh failed after ${durationMs} ms: ${body.code} ${body.message}`);
    if (this.shuttingDown) return;
    await this.events
      .refreshFailed({ refreshId, ...body, durationMs, stale: previous !== null })
      .catch((publishError: Error) =>
        this.logger.warn(`could not publish refresh-failed: ${publishError.message}`),
      );
  }

  private async loadInitialSnapshot(): Promise<void> {
    const fromNats = await this.store.loadCurrentFromNats().catch((error: Error) => {
      this.logger.warn(`no snapshot from NATS: ${error.message}`);
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
    await this.store
      .ensureInNats(fromDisk.snapshot, fromDisk.meta)
      .catch((error: Error) =>
        this.logger.warn(`could not republish the snapshot to NATS: ${error.message}`),
      );
  }

  private rememberOwn(refreshId: string): void {
    this.ownRefreshIds.add(refreshId);
    if (this.ownRefreshIds.size > 100) {
      const oldest = this.ownRefreshIds.values().next().value;
      if (oldest !== undefined) this.ownRefreshIds.delete(oldest);
    }
  }

  private install(
    snapshot: Parameters<CatalogStateService['install']>[0],
    meta: Parameters<CatalogStateService['install']>[1],
  ): void {
    this.state.install(snapshot, meta);
    this.metrics.snapshotServed(meta.counts, meta.refreshedAt, meta.stale, meta.partialFailures);
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}
