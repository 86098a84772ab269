import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import {
  errorMessage,
  type CatalogMetaRecord,
  type CatalogSnapshot,
  type EpgEvent,
  type Recording,
} from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { CatalogEventsRepository } from '../repositories/catalog-events.repository.js';
import { CatalogStateService } from './catalog-state.service.js';
import { mergeEpg } from './epg-merge.js';
import { PiconService } from './picon.service.js';
import { RecordingsReader } from './recordings-reader.service.js';
import {
  RefreshService,
  toFailure,
  type ChannelStage,
  type EpgProgress,
  type EpgWindow,
} from './refresh.service.js';
import { buildSnapshot } from './snapshot-builder.js';
import { SnapshotPublisher } from './snapshot-publisher.service.js';

export interface RefreshOutcome {
  meta: CatalogMetaRecord;
  /** False when the content (and version) is the same as before the refresh. */
  changed: boolean;
}

/** What one run reads, as it reads it. */
interface RunState {
  refreshId: string;
  started: number;
  stage: ChannelStage;
  window: EpgWindow;
  progress: EpgProgress;
  nowNext: Map<string, EpgEvent[]>;
  /** The last good list until this run has read its own. */
  recordings: Recording[] | undefined;
  before: { snapshot: CatalogSnapshot | null; meta: CatalogMetaRecord | null };
}

/**
 * One refresh, from the receiver to a published snapshot. Normally one snapshot at the end. When nothing complete is
 * served yet (first start, or the last first load was cut short) it publishes as it goes: the channel list as soon
 * as it is read, then with every channel's now/next, then the EPG read so far every `E2GATE_EPG_PUBLISH_INTERVAL`,
 * each a consistent snapshot marked `epgLoading`. A channel whose EPG cannot be read keeps the guide it had.
 */
@Injectable()
export class RefreshRunner {
  private readonly logger = new Logger(RefreshRunner.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: CatalogConfig,
    private readonly refresh: RefreshService,
    private readonly picons: PiconService,
    private readonly recordings: RecordingsReader,
    private readonly publisher: SnapshotPublisher,
    private readonly state: CatalogStateService,
    private readonly events: CatalogEventsRepository,
    private readonly clock: ClockRepository,
  ) {}

  async run(refreshId: string, signal: AbortSignal): Promise<RefreshOutcome> {
    const before = { snapshot: this.state.index?.snapshot ?? null, meta: this.state.meta };
    const started = this.clock.monotonicMs();
    const window = this.refresh.epgWindow();
    const stage = await this.refresh.readChannels(signal);
    const progress: EpgProgress = { fetched: new Map(), failed: new Set(), done: 0, total: 0 };
    const run: RunState = {
      refreshId,
      started,
      stage,
      window,
      progress,
      nowNext: new Map(),
      recordings: before.snapshot?.recordings,
      before,
    };
    const progressive = !before.snapshot || before.snapshot.epgLoading === true;
    const stepper = progressive ? await this.startSteps(run, signal) : null;
    const [, picons] = await Promise.all([
      this.refresh.readEpg(stage, window, progress, signal, () => stepper?.poke()),
      this.picons.sync(stage.channels, signal),
      this.readRecordings(run, signal),
    ]);
    await stepper?.finish();
    stage.partialFailures.push(...picons.failures);
    signal.throwIfAborted();
    const { snapshot, meta } = this.build(run, picons.picons, false);
    const stored = await this.publisher.publish(snapshot, meta);
    return { meta: stored, changed: snapshot.version !== before.snapshot?.version };
  }

  /** The receiver's recordings into `run`; on failure the last good list stays, with a partial failure. */
  private async readRecordings(run: RunState, signal: AbortSignal): Promise<void> {
    try {
      const read = await this.recordings.read(run.stage.channels, signal);
      run.recordings = read.recordings;
      if (read.truncated) run.stage.partialFailures.push(read.truncated);
    } catch (error) {
      signal.throwIfAborted();
      run.stage.partialFailures.push(toFailure('recordings', 'movielist', 'recordings', error));
      this.logger.warn(`recordings not read, the last list kept: ${errorMessage(error)}`);
    }
  }

  /** Publishes the channel list, then now/next, and returns what publishes the EPG read so far. */
  private async startSteps(run: RunState, signal: AbortSignal): Promise<Stepper> {
    const known = await this.picons.known(run.stage.channels).catch((error: unknown) => {
      this.logger.warn(`stored picons not listed: ${errorMessage(error)}`);
      return new Map<string, string>();
    });
    await this.publishStep(run, known, 'channel list');
    run.nowNext = await this.refresh.readNowNext(run.stage, run.window, signal);
    signal.throwIfAborted();
    await this.publishStep(run, known, 'now/next');
    return new Stepper(this.config.epgPublishIntervalMs, this.clock, () =>
      this.publishStep(run, known, `EPG of ${run.progress.done} of ${run.progress.total} channels`),
    );
  }

  private async publishStep(run: RunState, picons: ReadonlyMap<string, string>, what: string): Promise<void> {
    const { snapshot, meta } = this.build(run, picons, true);
    try {
      const stored = await this.publisher.publish(snapshot, meta);
      this.logger.log(`published ${what} (version ${stored.version}, ${stored.counts.events} events)`);
      await this.events.refreshed({
        refreshId: run.refreshId,
        version: stored.version,
        changed: true,
        counts: stored.counts,
        partialFailures: stored.partialFailures.length,
        durationMs: Math.round(this.clock.monotonicMs() - run.started),
        partial: true,
      });
    } catch (error) {
      // A step is a courtesy; the refresh goes on and its final publish decides.
      this.logger.warn(`step (${what}) not published: ${errorMessage(error)}`);
    }
  }

  private build(run: RunState, picons: ReadonlyMap<string, string>, epgLoading: boolean) {
    const { stage, progress, before } = run;
    const guide = mergeEpg({
      channels: stage.channels,
      fetched: progress.fetched,
      fetchedAt: run.window.from,
      nowNext: run.nowNext,
      previous: before.snapshot,
      window: run.window,
    });
    return buildSnapshot(
      {
        receiver: stage.receiver,
        bouquets: stage.bouquets,
        channels: stage.channels,
        guide,
        epgWindow: run.window,
        partialFailures: [...stage.partialFailures],
        epgLoading,
        ...(run.recordings === undefined ? {} : { recordings: run.recordings }),
      },
      picons,
      new Date(this.clock.nowMs()),
      before.meta,
    );
  }
}

/** Runs `publish` at most every `intervalMs`, never two at once, and waits for the last one at the end. */
class Stepper {
  private last: number;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: ClockRepository,
    private readonly publish: () => Promise<void>,
  ) {
    this.last = clock.monotonicMs();
  }

  poke(): void {
    if (this.inFlight || this.clock.monotonicMs() - this.last < this.intervalMs) return;
    this.inFlight = this.publish().finally(() => {
      this.last = this.clock.monotonicMs();
      this.inFlight = null;
    });
  }

  async finish(): Promise<void> {
    await this.inFlight;
  }
}
