import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { CatalogMetaRecord, CatalogSnapshot } from '@e2gate/contracts';
import { ClockRepository } from '../repositories/clock.repository.js';
import { CatalogSnapshotRepository } from '../repositories/catalog-snapshot.repository.js';
import { SnapshotView } from './snapshot-view.js';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * Follows the catalog: watches `catalog-meta/current` and loads each new snapshot version from the Object Store.
 * Holds the snapshot this replica serves (nothing else is state: a new replica rebuilds it from NATS). Watch
 * failures (no bucket yet, NATS away) are retried with backoff for as long as the process runs.
 */
@Injectable()
export class SnapshotFollowerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SnapshotFollowerService.name);
  private readonly events = new EventEmitter();
  private readonly stop = new AbortController();
  private view: SnapshotView | null = null;
  private metaRecord: CatalogMetaRecord | null = null;
  private loop: Promise<void> | null = null;
  private lastProblem = '';

  constructor(
    private readonly repository: CatalogSnapshotRepository,
    private readonly clock: ClockRepository,
  ) {
    this.events.setMaxListeners(0);
  }

  onApplicationBootstrap(): void {
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

  /** The latest meta record (staleness, last error), which may be newer than the snapshot. */
  get meta(): CatalogMetaRecord | null {
    return this.metaRecord;
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
        this.stop.signal.addEventListener('abort', stopWatching, { once: true });
        if (this.stop.signal.aborted) stopWatching();
        try {
          for await (const entry of watcher) {
            await this.apply(this.repository.decodeMeta(entry));
            delay = RETRY_MIN_MS;
          }
        } finally {
          this.stop.signal.removeEventListener('abort', stopWatching);
          stopWatching();
        }
      } catch (error) {
        this.report(`catalog snapshot not available yet: ${(error as Error).message}`);
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

  private async apply(meta: CatalogMetaRecord | null): Promise<void> {
    this.metaRecord = meta;
    this.events.emit('meta', meta);
    if (!meta || this.view?.version === meta.version) return;
    const started = this.clock.nowMs();
    const snapshot: CatalogSnapshot | null = await this.repository.loadSnapshot(meta.objectName);
    if (!snapshot) throw new Error(`snapshot object ${meta.objectName} is missing`);
    this.view = new SnapshotView(snapshot);
    this.lastProblem = '';
    this.logger.log(
      `serving catalog snapshot ${snapshot.version} (${snapshot.channels.length} channels, ` +
        `${snapshot.counts.events} events; loaded in ${this.clock.nowMs() - started} ms)`,
    );
    this.events.emit('install', this.view);
  }

  /** Logs a recurring problem once, not at every retry. */
  private report(problem: string): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.logger.warn(problem);
  }
}
