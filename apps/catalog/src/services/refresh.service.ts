import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import {
  E2gateError,
  errorMessage,
  ErrorCode,
  SnapshotBounds,
  type Channel,
  type EpgEvent,
  type PartialFailure,
  type ReceiverSummary,
} from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import {
  parseServiceRef,
  refIdentity,
  ReceiverError,
  type BouquetInfo,
  type ReceiverEvent,
} from '@e2gate/openwebif';
import { ReceiverRepository } from '../repositories/receiver.repository.js';
import { buildChannels, type BouquetListing, type ChannelSet } from './channel-builder.js';
import { mapLimit } from './concurrency.js';
import { normalizeEpg } from './epg-normalizer.js';
import { boundBouquets, boundChannels, boundEvents, boundListing, clip } from './receiver-bounds.js';

/** What the first phase reads: the receiver summary and the channels of the selected bouquets. */
export interface ChannelStage extends ChannelSet {
  receiver: ReceiverSummary;
  partialFailures: PartialFailure[];
  /** The bouquets read (for the per-bouquet now/next request). */
  bouquetRefs: string[];
}

export interface EpgWindow {
  from: number;
  to: number;
}

/** The EPG read so far: filled channel by channel while `readEpg` runs, so steps can be published on the way. */
export interface EpgProgress {
  readonly fetched: Map<string, EpgEvent[]>;
  readonly failed: Set<string>;
  /** Channels whose guide is read (fetched or failed) out of `total`. */
  done: number;
  total: number;
}

const UNKNOWN_RECEIVER: ReceiverSummary = {
  brand: '',
  model: '',
  imageVersion: '',
  webifVersion: '',
  tuners: 0,
};

/**
 * Reads the receiver (DESIGN §4): bouquets → services per bouquet (a failing bouquet is recorded and skipped) →
 * now/next per bouquet → the EPG window per channel with bounded concurrency (a failing EPG keeps its channel).
 * Everything is cut to the snapshot bounds. Fails only when no bouquet could be read.
 */
@Injectable()
export class RefreshService {
  private readonly logger = new Logger(RefreshService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: CatalogConfig,
    private readonly receiver: ReceiverRepository,
    private readonly clock: ClockRepository,
  ) {}

  /** The window a refresh starting now reads: from now for `E2GATE_EPG_DAYS`. */
  epgWindow(): EpgWindow {
    const from = this.clock.nowSeconds();
    return { from, to: from + this.config.epgDays * 86_400 };
  }

  /** Phase 1: bouquets → services → channels. Fails only when no bouquet could be read. */
  async readChannels(signal: AbortSignal): Promise<ChannelStage> {
    const partialFailures: PartialFailure[] = [];
    const receiver = await this.receiverSummary(signal);
    signal.throwIfAborted();
    const radio = this.config.radio ? await this.receiver.radioBouquets(signal) : [];
    const listed = boundBouquets([...(await this.receiver.tvBouquets(signal)), ...radio], partialFailures);
    const selected = this.selectBouquets(listed, partialFailures);
    const listings = await this.readBouquets(selected, partialFailures, signal);
    if (listings.length === 0) {
      const first = partialFailures.find((failure) => failure.scope === 'bouquet');
      throw new E2gateError(
        (first?.code as ErrorCode | undefined) ?? ErrorCode.RefreshFailed,
        `no bouquet could be read${first ? `: ${first.message}` : ''}`,
        { partialFailures },
      );
    }
    const channels = boundChannels(buildChannels(listings), partialFailures);
    return {
      ...channels,
      receiver,
      partialFailures,
      bouquetRefs: listings.map(({ bouquet }) => bouquet.ref),
    };
  }

  /**
   * What runs now and next on every channel, one request per bouquet: enough for a guide's first screen while
   * the full EPG is read channel by channel. A bouquet that fails is skipped (the full EPG pass reports failures).
   */
  async readNowNext(
    stage: ChannelStage,
    window: EpgWindow,
    signal: AbortSignal,
  ): Promise<Map<string, EpgEvent[]>> {
    const byRef = new Map<string, Channel>();
    for (const channel of stage.channels) byRef.set(refKey(channel.ref), channel);
    const raw = new Map<string, ReceiverEvent[]>();
    for (const bouquetRef of stage.bouquetRefs) {
      try {
        for (const event of await this.receiver.epgNowNext(bouquetRef, signal)) {
          const channel = event.ref ? byRef.get(refKey(event.ref)) : undefined;
          if (!channel) continue;
          const list = raw.get(channel.id) ?? [];
          list.push(event);
          raw.set(channel.id, list);
        }
      } catch (error) {
        signal.throwIfAborted();
        this.logger.warn(`now/next of bouquet ${bouquetRef} not read: ${errorMessage(error)}`);
      }
    }
    const nowNext = new Map<string, EpgEvent[]>();
    for (const [channelId, events] of raw) {
      const normalized = normalizeEpg(events, window).events;
      if (normalized.length > 0) nowNext.set(channelId, normalized);
    }
    return nowNext;
  }

  /** Phase 2: the EPG of every channel into `progress`; a channel whose EPG fails is recorded and kept. */
  async readEpg(
    stage: ChannelStage,
    window: EpgWindow,
    progress: EpgProgress,
    signal: AbortSignal,
    onChannel: () => void = () => undefined,
  ): Promise<void> {
    const channels = stage.channels.filter((channel) => channel.kind !== 'iptv');
    progress.total = channels.length;
    await mapLimit(
      channels,
      this.config.receiver.epgConcurrency,
      async (channel) => {
        try {
          const raw = await this.fetchEpg(channel.ref, window, signal);
          const { events } = normalizeEpg(raw, window);
          progress.fetched.set(channel.id, boundEvents(events, channel, stage.partialFailures));
        } catch (error) {
          signal.throwIfAborted();
          progress.failed.add(channel.id);
          stage.partialFailures.push(toFailure('epg', channel.id, channel.name, error));
        }
        progress.done++;
        onChannel();
      },
      signal,
    );
  }

  private async receiverSummary(signal: AbortSignal): Promise<ReceiverSummary> {
    try {
      const about = await this.receiver.about(signal);
      const max = SnapshotBounds.maxNameLength;
      return {
        brand: clip(about.brand, max),
        model: clip(about.model, max),
        imageVersion: clip([about.imageDistro, about.imageVersion].filter(Boolean).join(' '), max),
        webifVersion: clip(about.webifVersion, max),
        tuners: Math.min(about.tuners, 64),
      };
    } catch (error) {
      signal.throwIfAborted();
      // Not fatal: the bouquet list that follows tells whether the receiver is really down.
      this.logger.warn(`receiver /api/about failed (${errorMessage(error)}); continuing without its summary`);
      return UNKNOWN_RECEIVER;
    }
  }

  private selectBouquets(all: BouquetInfo[], failures: PartialFailure[]): BouquetInfo[] {
    if (this.config.bouquets.length === 0) return all;
    const selected: BouquetInfo[] = [];
    for (const wanted of this.config.bouquets) {
      const match = all.find((bouquet) => bouquet.name.toLowerCase() === wanted.toLowerCase());
      if (match) selected.push(match);
      else {
        failures.push({
          scope: 'bouquet',
          target: clip(wanted, SnapshotBounds.maxRefLength),
          name: clip(wanted, SnapshotBounds.maxNameLength),
          code: ErrorCode.NotFound,
          message: `configured bouquet ${JSON.stringify(wanted)} does not exist on the receiver`,
        });
      }
    }
    return selected;
  }

  private async readBouquets(
    bouquets: BouquetInfo[],
    failures: PartialFailure[],
    signal: AbortSignal,
  ): Promise<BouquetListing[]> {
    const results = await mapLimit(
      bouquets,
      this.config.receiver.concurrency,
      async (bouquet) => {
        try {
          const listing = await this.receiver.services(bouquet.ref, signal);
          return { bouquet, listing: boundListing(bouquet, listing, failures) };
        } catch (error) {
          signal.throwIfAborted();
          failures.push(toFailure('bouquet', bouquet.ref, bouquet.name, error));
          this.logger.warn(`bouquet ${JSON.stringify(bouquet.name)} skipped: ${errorMessage(error)}`);
          return null;
        }
      },
      signal,
    );
    return results.filter((result): result is BouquetListing => result !== null);
  }

  /** JSON EPG, falling back to the XML endpoint when an image sends broken JSON. */
  private async fetchEpg(ref: string, window: EpgWindow, signal: AbortSignal): Promise<ReceiverEvent[]> {
    try {
      return await this.receiver.epg(ref, window.from, window.to, signal);
    } catch (error) {
      if (error instanceof ReceiverError && error.code === ErrorCode.ReceiverBadResponse) {
        return this.receiver.epgXml(ref, window.from, window.to, signal);
      }
      throw error;
    }
  }
}

/** The same key for a channel's reference and the `sref` of a bouquet EPG row. */
function refKey(ref: string): string {
  const parsed = parseServiceRef(ref);
  return parsed ? refIdentity(parsed) : ref.trim();
}

export function toFailure(
  scope: PartialFailure['scope'],
  target: string,
  name: string,
  error: unknown,
): PartialFailure {
  const code = error instanceof E2gateError ? error.code : ErrorCode.Internal;
  return {
    scope,
    target: clip(target, SnapshotBounds.maxRefLength),
    name: clip(name, SnapshotBounds.maxNameLength),
    code,
    message: clip(errorMessage(error), 2_000),
  };
}
