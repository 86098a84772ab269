import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  E2gateError,
  errorMessage,
  ErrorCode,
  type CatalogMetaRecord,
  type Channel,
} from '@e2gate/contracts';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { ClockRepository } from '@e2gate/observability';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { CatalogSnapshotRepository } from '../repositories/catalog-snapshot.repository.js';
import { SnapshotView } from './snapshot-view.js';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** A snapshot (or meta record) the catalog published that failed validation; the last valid one stays served. */
export interface SnapshotRejection {
  /** The version its meta record named, when the record itself was readable. */
  version: string | null;
  reason: string;
  at: string;
}

/**
 * Follows the catalog: watches `catalog-meta/current` and loads each new snapshot version from the Object Store.
 * Holds the snapshot this replica serves (nothing else is state: a new replica rebuilds it from NATS). Watch
 * failures (no bucket yet, NATS away) are retried with backoff for as long as the process runs; after a reconnect
 * the watch starts over (the server may have lost its store). A record or snapshot that fails validation is
 * reported (readiness `degraded`, a metric) and the last valid snapshot stays served.
 */
@Injectable()
export class SnapshotFollowerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SnapshotFollowerService.name);
  private readonly events = new EventEmitter();
  private readonly stop = new AbortController();
  private view: SnapshotView | null = null;
  private metaRecord: CatalogMetaRecord | null = null;
  private rejection: SnapshotRejection | null = null;
  private loop: Promise<void> | null = null;
  private restartWatch: (() => void) | null = null;
  private lastProblem = '';

  constructor(
    private readonly repository: CatalogSnapshotRepository,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly clock: ClockRepository,
    private readonly metrics: GatewayMetrics,
  ) {
    this.events.setMaxListeners(0);
  }

  onApplicationBootstrap(): void {
    this.repository.onReconnect(() => this.restartWatch?.());
    this.loop = this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  /** The snapshot being served, or null before the first one arrived. */
  get current(): SnapshotView | null {
    return this.view;
  }

  /** The served snapshot and one of its channels; `NO_SNAPSHOT` before the first snapshot, `NOT_FOUND` for none. */
  requireChannel(channelId: string): { view: SnapshotView; channel: Channel } {
    const view = this.view;
    if (!view) throw new E2gateError(ErrorCode.NoSnapshot, 'no catalog snapshot yet');
    const channel = view.channel(channelId);
    if (!channel) throw new E2gateError(ErrorCode.NotFound, `no channel ${JSON.stringify(channelId)}`);
    return { view, channel };
  }

  /** The meta record of the served snapshot (staleness, last error, degradation), updated as the catalog marks it. */
  get meta(): CatalogMetaRecord | null {
    return this.metaRecord;
  }

  /** The last snapshot the catalog published that this replica refused; null once a valid one is served. */
  get rejected(): SnapshotRejection | null {
    return this.rejection;
  }

  /** Subscribes to installs of new snapshot versions. */
  onInstall(listener: (view: SnapshotView) => void): void {
    this.events.on('install', listener);
  }

  /** Resolves once a snapshot (of `version`, when given) is served; for tests and tools. */
  async whenServing(version?: string, timeoutMs = 30_000): Promise<SnapshotView> {
    const matches = () => this.view !== null && (version === undefined || this.view.version === version);
    if (matches()) return this.view as SnapshotView;
    const signal = AbortSignal.timeout(timeoutMs);
    while (!matches()) await once(this.events, 'install', { signal });
    return this.view as SnapshotView;
  }

  private async follow(): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (!this.stop.signal.aborted) {
      try {
        const watcher = await this.repository.watchMeta();
        const stopWatching = () => watcher.stop();
        this.restartWatch = stopWatching;
        this.stop.signal.addEventListener('abort', stopWatching, { once: true });
        if (this.stop.signal.aborted) stopWatching();
        try {
          for await (const entry of watcher) {
            await this.receive(entry);
            delay = RETRY_MIN_MS;
          }
        } finally {
          this.restartWatch = null;
          this.stop.signal.removeEventListener('abort', stopWatching);
          stopWatching();
        }
      } catch (error) {
        this.report(`catalog snapshot not available yet: ${errorMessage(error)}`);
      }
      if (this.stop.signal.aborted) return;
      await sleep(delay, undefined, { signal: this.stop.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }

  /** Resolves once the meta record satisfies `predicate` (e.g. the catalog marked the snapshot stale). */
  async whenMeta(predicate: (meta: CatalogMetaRecord | null) => boolean, timeoutMs = 30_000): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    while (!predicate(this.metaRecord)) await once(this.events, 'meta', { signal });
  }

  /** One value of the watched key; a rejected record or snapshot is reported, a missing object retried. */
  private async receive(entry: Parameters<CatalogSnapshotRepository['decodeMeta']>[0]): Promise<void> {
    let meta: CatalogMetaRecord | null = null;
    try {
      meta = this.repository.decodeMeta(entry);
      await this.apply(meta);
    } catch (error) {
      if (!(error instanceof E2gateError && error.code === ErrorCode.SnapshotInvalid)) throw error;
      this.reject(meta?.version ?? null, errorMessage(error));
    }
  }

  private async apply(meta: CatalogMetaRecord | null): Promise<void> {
    if (!meta) {
      this.metaRecord = null;
      this.events.emit('meta', meta);
      return;
    }
    if (this.view?.version === meta.version) {
      this.metaRecord = meta;
      this.rejection = null;
      this.events.emit('meta', meta);
      return;
    }
    const started = this.clock.nowMs();
    const blob = await this.repository.readSnapshot(meta);
    if (!blob) throw new Error(`snapshot object ${meta.objectName} is missing`);
    const view = await SnapshotView.fromStored(blob, meta, this.config.snapshotReadLimits);
    const { snapshot } = view;
    this.view = view;
    this.metaRecord = meta;
    this.rejection = null;
    this.events.emit('meta', meta);
    this.lastProblem = '';
    this.logger.log(
      `serving catalog snapshot ${snapshot.version} (${snapshot.channels.length} channels, ` +
        `${snapshot.counts.events} events; loaded in ${this.clock.nowMs() - started} ms)`,
    );
    this.events.emit('install', this.view);
  }

  private reject(version: string | null, reason: string): void {
    this.rejection = { version, reason, at: new Date(this.clock.nowMs()).toISOString() };
    this.metrics.snapshotRejected();
    this.logger.error(`${reason}; still serving ${this.view ? `snapshot ${this.view.version}` : 'nothing'}`);
    this.events.emit('meta', this.metaRecord);
  }

  /** Logs a recurring problem once, not at every retry. */
  private report(problem: string): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.logger.warn(problem);
  }
}
