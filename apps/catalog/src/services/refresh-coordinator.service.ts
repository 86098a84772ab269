import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import { E2gateError, errorMessage, ErrorCode, type CatalogRefreshReply } from '@e2gate/contracts';
import { ClockRepository, instanceName } from '@e2gate/observability';
import { CatalogMetrics } from '../metrics/catalog.metrics.js';
import { CatalogEventsRepository } from '../repositories/catalog-events.repository.js';
import {
  RefreshLeaseService,
  type HeldLease,
  type LeaseKeeper,
  type RefreshLease,
} from './refresh-lease.service.js';
import { RefreshRunner } from './refresh-runner.service.js';
import { SnapshotPublisher } from './snapshot-publisher.service.js';

interface RunningRefresh {
  refreshId: string;
  controller: AbortController;
  /** Set once the outcome is out and the lease is being released: a new request then starts a fresh refresh. */
  finishing: boolean;
  done: Promise<void>;
  finish(): void;
}

function newRun(refreshId: string): RunningRefresh {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { refreshId, controller: new AbortController(), finishing: false, done, finish };
}

/** A refresh abandoned for a reason that says nothing about the receiver: the served snapshot stays as it is. */
export class RefreshCancelled extends Error {
  constructor(readonly why: 'shutdown' | 'lease-lost') {
    super(
      why === 'shutdown'
        ? 'refresh cancelled: the catalog is shutting down'
        : 'refresh cancelled: another replica took its lease over',
    );
    this.name = 'RefreshCancelled';
  }
}

type ForeignEnd = 'outcome' | 'abandoned' | 'shutdown';

const REMEMBERED_REFRESH_IDS = 100;
const MIN_LEASE_POLL_MS = 50;

/**
 * When and how refreshes run: at start, every interval and on demand; one at a time in the process and
 * in the cluster (a renewed lease in KV); ended by a watchdog when it hangs and cancelled on shutdown; a failure
 * keeps the last good snapshot, marked stale. Also keeps this replica's snapshot in step with refreshes done by
 * other replicas.
 */
@Injectable()
export class RefreshCoordinator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RefreshCoordinator.name);
  private readonly owner = instanceName('catalog');
  private readonly ownRefreshIds = new Set<string>();
  /** Refreshes of other replicas whose outcome event arrived (bounded, oldest dropped). */
  private readonly foreignOutcomes = new Set<string>();
  private readonly outcomeWaiters = new Map<string, () => void>();
  /** Aborted at shutdown: ends the waits of the start-up refresh. */
  private readonly lifecycle = new AbortController();
  private current: RunningRefresh | null = null;
  private schedule: NodeJS.Timeout | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: CatalogConfig,
    private readonly runner: RefreshRunner,
    private readonly publisher: SnapshotPublisher,
    private readonly leases: RefreshLeaseService,
    private readonly events: CatalogEventsRepository,
    private readonly clock: ClockRepository,
    private readonly metrics: CatalogMetrics,
    private readonly pino: PinoLogger,
  ) {}

  get running(): boolean {
    return this.current !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.publisher.loadInitial();
    void this.startupRefresh();
    this.schedule = setInterval(
      () =>
        void this.request('schedule').catch((error: Error) =>
          this.logger.warn(`scheduled refresh not run: ${error.message}`),
        ),
      this.config.refreshIntervalMs,
    );
  }

  /**
   * Runs before the NATS connection closes: cancels a running refresh (no stale mark, no event) and waits until
   * its lease is released, so a restarted or another replica can refresh at once.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    if (this.schedule) clearInterval(this.schedule);
    this.lifecycle.abort();
    const run = this.current;
    if (!run) return;
    run.controller.abort(new RefreshCancelled('shutdown'));
    await run.done;
  }

  /** Starts a refresh, or joins the one running here or on another replica. */
  async request(reason: string): Promise<CatalogRefreshReply> {
    for (;;) {
      if (this.shuttingDown) throw new E2gateError(ErrorCode.Unavailable, 'the catalog is shutting down');
      const running = this.current;
      if (!running) break;
      if (!running.finishing) return { refreshId: running.refreshId, state: 'joined' };
      await running.done; // its outcome is out; wait for its lease to be released, then start anew
    }
    const run = newRun(randomUUID());
    this.current = run; // claimed before the first await, so a concurrent request joins this one
    const claim = await this.claimLease(run.refreshId);
    if (!claim.acquired) {
      this.current = null;
      run.finish();
      return { refreshId: claim.holder.refreshId, state: 'joined' };
    }
    this.rememberOwn(run.refreshId);
    void this.execute(run, reason, claim.held);
    return { refreshId: run.refreshId, state: 'started' };
  }

  /**
   * Another replica refreshed (or failed, or published a step of its first EPG load): adopt its snapshot or its
   * stale marking. Only an outcome (not a step) ends a wait for that refresh.
   */
  async syncFromCluster(refreshId: string, partial = false): Promise<void> {
    if (this.ownRefreshIds.has(refreshId)) return;
    if (!partial) {
      remember(this.foreignOutcomes, refreshId);
      this.outcomeWaiters.get(refreshId)?.();
    }
    await this.publisher.adoptFromNats();
  }

  /**
   * The refresh at start. When it only joined another replica's refresh, it follows that lease: if the lease
   * lapses without an outcome event (its owner died or was stopped), it refreshes after all.
   */
  private async startupRefresh(): Promise<void> {
    let reason = 'startup';
    try {
      for (;;) {
        const reply = await this.request(reason);
        if (reply.state === 'started' || this.ownRefreshIds.has(reply.refreshId)) return;
        if ((await this.awaitForeignRefresh(reply.refreshId)) !== 'abandoned') return;
        this.logger.warn(
          `refresh ${reply.refreshId} of another replica ended without an outcome (its lease lapsed); ` +
            'refreshing here',
        );
        reason = 'startup, after an abandoned refresh';
      }
    } catch (error) {
      if (!this.shuttingDown) this.logger.warn(`start-up refresh not run: ${errorMessage(error)}`);
    }
  }

  /** Waits for another replica's refresh to publish its outcome, or for its lease to lapse without one. */
  private async awaitForeignRefresh(refreshId: string): Promise<ForeignEnd> {
    for (;;) {
      if (this.shuttingDown) return 'shutdown';
      if (this.foreignOutcomes.has(refreshId)) return 'outcome';
      let waitMs = this.leases.renewEveryMs;
      try {
        const holder = await this.leases.liveHolder();
        if (this.foreignOutcomes.has(refreshId)) return 'outcome';
        if (holder?.refreshId !== refreshId) return 'abandoned';
        // Look again just after the lease would lapse; a live owner will have renewed it by then.
        waitMs = Date.parse(holder.expiresAt) - this.clock.systemMs() + MIN_LEASE_POLL_MS;
      } catch (error) {
        this.logger.warn(`could not read the refresh lease: ${errorMessage(error)}`);
      }
      await this.waitForOutcome(
        refreshId,
        Math.min(Math.max(waitMs, MIN_LEASE_POLL_MS), this.leases.leaseMs),
      );
    }
  }

  /** Resolves after `ms`, or earlier when the outcome of `refreshId` arrives or the catalog shuts down. */
  private waitForOutcome(refreshId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.outcomeWaiters.delete(refreshId);
        this.lifecycle.signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.outcomeWaiters.set(refreshId, wake);
      this.lifecycle.signal.addEventListener('abort', wake, { once: true });
    });
  }

  private async claimLease(
    refreshId: string,
  ): Promise<{ acquired: true; held: HeldLease | null } | { acquired: false; holder: RefreshLease }> {
    try {
      const claim = await this.leases.acquire({ refreshId, owner: this.owner });
      if (!claim.acquired) return claim;
      if (claim.replaced) {
        this.logger.warn(
          `took over the lapsed refresh lease of ${claim.replaced.owner} ` +
            `(refresh ${claim.replaced.refreshId}, expired ${claim.replaced.expiresAt})`,
        );
      }
      return { acquired: true, held: claim.held };
    } catch (error) {
      this.logger.warn(`refresh lease unavailable (${errorMessage(error)}); refreshing without it`);
      return { acquired: true, held: null };
    }
  }

  private async execute(run: RunningRefresh, reason: string, held: HeldLease | null): Promise<void> {
    const started = this.clock.monotonicMs();
    const { controller, refreshId } = run;
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
    const keeper = held
      ? this.leases.keepAlive(held, () => controller.abort(new RefreshCancelled('lease-lost')))
      : null;
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
          run.finishing = true;
          await this.releaseLease(keeper, held);
          this.current = null;
          run.finish();
        }
      },
      { bindings: { refreshId } },
    );
  }

  private async releaseLease(keeper: LeaseKeeper | null, held: HeldLease | null): Promise<void> {
    try {
      await keeper?.stop();
      if (held) await this.leases.release(held);
    } catch (error) {
      this.logger.warn(`could not release the refresh lease: ${errorMessage(error)}`);
    }
  }

  private async runOnce(refreshId: string, started: number, signal: AbortSignal): Promise<void> {
    const { meta, changed } = await this.runner.run(refreshId, signal);
    const durationMs = Math.round(this.clock.monotonicMs() - started);
    this.metrics.refreshFinished(changed ? 'success' : 'unchanged', durationMs);
    this.logger.log(
      `refresh done in ${durationMs} ms: ${meta.counts.channels} channels, ${meta.counts.events} events, ` +
        `${meta.partialFailures.length} partial failures, version ${meta.version}${changed ? '' : ' (unchanged)'}` +
        (meta.degraded?.length ? `; degraded: ${meta.degraded.join('; ')}` : ''),
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
    if (error instanceof RefreshCancelled) {
      this.metrics.refreshFinished('cancelled', durationMs);
      this.logger.warn(`${error.message} after ${durationMs} ms; the served snapshot stays as it was`);
      return;
    }
    const body =
      error instanceof E2gateError
        ? { code: error.code, message: error.message }
        : { code: ErrorCode.RefreshFailed, message: errorMessage(error) };
    this.metrics.refreshFinished('failure', durationMs);
    const stale = await this.publisher.markStale(body);
    this.logger.error(`refresh failed after ${durationMs} ms: ${body.code} ${body.message}`);
    if (this.shuttingDown) return;
    await this.events
      .refreshFailed({ refreshId, ...body, durationMs, stale })
      .catch((publishError: unknown) =>
        this.logger.warn(`could not publish refresh-failed: ${errorMessage(publishError)}`),
      );
  }

  private rememberOwn(refreshId: string): void {
    remember(this.ownRefreshIds, refreshId);
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** Adds to a set that keeps only the most recent ids. */
function remember(ids: Set<string>, id: string): void {
  ids.add(id);
  if (ids.size <= REMEMBERED_REFRESH_IDS) return;
  const oldest = ids.values().next().value;
  if (oldest !== undefined) ids.delete(oldest);
}
