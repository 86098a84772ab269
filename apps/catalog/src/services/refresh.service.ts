import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import {
  E2gateError,
  ErrorCode,
  type Channel,
  type EpgEvent,
  type PartialFailure,
  type ReceiverSummary,
} from '@e2gate/contracts';
import { ReceiverError, type BouquetInfo, type ReceiverEvent } from '@e2gate/openwebif';
import { ClockRepository } from '../repositories/clock.repository.js';
import { ReceiverRepository } from '../repositories/receiver.repository.js';
import { buildChannels, type BouquetListing, type ChannelSet } from './channel-builder.js';
import { mapLimit } from './concurrency.js';
import { normalizeEpg } from './epg-normalizer.js';

/** What the first phase reads: the receiver summary and the channels of the selected bouquets. */
export interface ChannelStage extends ChannelSet {
  receiver: ReceiverSummary;
  partialFailures: PartialFailure[];
}

export interface CollectedCatalog extends ChannelStage {
  epg: Record<string, EpgEvent[]>;
  epgWindow: { from: number; to: number };
}

const UNKNOWN_RECEIVER: ReceiverSummary = {
  brand: '',
  model: '',
  imageVersion: '',
  webifVersion: '',
  tuners: 0,
};

/**
 * Reads the receiver into channels and EPG (DESIGN §4): bouquets → services per bouquet (a failing bouquet
 * is recorded and skipped) → EPG per channel with bounded concurrency (a failing EPG keeps its channel).
 * Fails only when no bouquet could be read.
 */
@Injectable()
export class RefreshService {
  private readonly logger = new Logger(RefreshService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: CatalogConfig,
    private readonly receiver: ReceiverRepository,
    private readonly clock: ClockRepository,
  ) {}

  /** Phase 1: bouquets → services → channels. Fails only when no bouquet could be read. */
  async readChannels(signal: AbortSignal): Promise<ChannelStage> {
    const partialFailures: PartialFailure[] = [];
    const receiver = await this.receiverSummary(signal);
    signal.throwIfAborted();
    const selected = this.selectBouquets(await this.receiver.tvBouquets(signal), partialFailures);
    const listings = await this.readBouquets(selected, partialFailures, signal);
    if (listings.length === 0) {
      const first = partialFailures.find((failure) => failure.scope === 'bouquet');
      throw new E2gateError(
        (first?.code as ErrorCode | undefined) ?? ErrorCode.RefreshFailed,
        `no bouquet could be read${first ? `: ${first.message}` : ''}`,
        { partialFailures },
      );
    }
    return { ...buildChannels(listings), receiver, partialFailures };
  }

  /** Phase 2: the EPG of every channel; a channel whose EPG fails keeps its entry. */
  async readEpg(stage: ChannelStage, signal: AbortSignal): Promise<CollectedCatalog> {
    const from = this.clock.nowSeconds();
    const epgWindow = { from, to: from + this.config.epgDays * 86_400 };
    const epg = await this.fetchAllEpg(stage.channels, epgWindow, stage.partialFailures, signal);
    return { ...stage, epg, epgWindow };
  }

  private async receiverSummary(signal: AbortSignal): Promise<ReceiverSummary> {
    try {
      const about = await this.receiver.about(signal);
      return {
        brand: about.brand,
        model: about.model,
        imageVersion: [about.imageDistro, about.imageVersion].filter(Boolean).join(' '),
        webifVersion: about.webifVersion,
        tuners: about.tuners,
      };
    } catch (error) {
      signal.throwIfAborted();
      // Not fatal: the bouquet list that follows tells whether the receiver is really down.
      this.logger.warn(
        `receiver /api/about failed (${(error as Error).message}); continuing without its summary`,
      );
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
          target: wanted,
          name: wanted,
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
          return { bouquet, listing: await this.receiver.services(bouquet.ref, signal) };
        } catch (error) {
          signal.throwIfAborted();
          failures.push(toFailure('bouquet', bouquet.ref, bouquet.name, error));
          this.logger.warn(`bouquet ${JSON.stringify(bouquet.name)} skipped: ${(error as Error).message}`);
          return null;
        }
      },
      signal,
    );
    return results.filter((result): result is BouquetListing => result !== null);
  }

  private async fetchAllEpg(
    channels: Channel[],
    window: { from: number; to: number },
    failures: PartialFailure[],
    signal: AbortSignal,
  ): Promise<Record<string, EpgEvent[]>> {
    const epg: Record<string, EpgEvent[]> = {};
    await mapLimit(
      channels.filter((channel) => channel.kind !== 'iptv'),
      this.config.receiver.epgConcurrency,
      async (channel) => {
        try {
          const raw = await this.fetchEpg(channel.ref, window, signal);
          const { events } = normalizeEpg(raw, window);
          if (events.length > 0) epg[channel.id] = events;
        } catch (error) {
          signal.throwIfAborted();
          failures.push(toFailure('epg', channel.id, channel.name, error));
        }
      },
      signal,
    );
    return epg;
  }

  /** JSON EPG, falling back to the XML endpoint when an image sends broken JSON. */
  private async fetchEpg(
    ref: string,
    window: { from: number; to: number },
    signal: AbortSignal,
  ): Promise<ReceiverEvent[]> {
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

export function toFailure(
  scope: PartialFailure['scope'],
  target: string,
  name: string,
  error: unknown,
): PartialFailure {
  const code = error instanceof E2gateError ? error.code : ErrorCode.Internal;
  return { scope, target, name, code, message: (error as Error).message };
}
