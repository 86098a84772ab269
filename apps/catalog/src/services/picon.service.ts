import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import type { Channel, PartialFailure } from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { parseServiceRef, piconCandidates } from '@e2gate/openwebif';
import { PiconStoreRepository, type StoredPicon } from '../repositories/picon-store.repository.js';
import { ReceiverRepository } from '../repositories/receiver.repository.js';
import { mapLimit } from './concurrency.js';
import { toFailure } from './refresh.service.js';

/** Name of a channel's picon in the `picons` store: its guide id without the `.dvb` suffix. */
export function piconKey(channel: Channel): string {
  return channel.xmltvId.replace(/\.dvb$/, '');
}

export interface PiconOutcome {
  /** Channel id → picon name, for channels that have one. */
  picons: Map<string, string>;
  failures: PartialFailure[];
  fetched: number;
}

/**
 * Keeps the `picons` store in step with the channel list: a picon (or a known miss) checked within
 * `E2GATE_PICON_MAX_AGE` is reused; otherwise the receiver is asked along the fallback chain, with bounded
 * concurrency. A receiver error keeps whatever was stored before.
 */
@Injectable()
export class PiconService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: CatalogConfig,
    private readonly receiver: ReceiverRepository,
    private readonly store: PiconStoreRepository,
    private readonly clock: ClockRepository,
  ) {}

  /** Channel id → picon name for the picons the store already holds (no receiver request). */
  async known(channels: readonly Channel[]): Promise<Map<string, string>> {
    const stored = await this.store.list();
    const picons = new Map<string, string>();
    for (const channel of channels) {
      const key = piconKey(channel);
      if (stored.get(key)?.present) picons.set(channel.id, key);
    }
    return picons;
  }

  async sync(channels: Channel[], signal: AbortSignal): Promise<PiconOutcome> {
    const known = await this.store.list();
    const outcome: PiconOutcome = { picons: new Map(), failures: [], fetched: 0 };
    const now = this.clock.nowMs();
    await mapLimit(
      channels,
      this.config.piconConcurrency,
      async (channel) => {
        const key = piconKey(channel);
        const stored = known.get(key);
        if (stored && now - stored.checkedAt < this.config.piconMaxAgeMs) {
          if (stored.present) outcome.picons.set(channel.id, key);
          return;
        }
        const present = await this.fetch(channel, key, stored, now, outcome, signal);
        if (present) outcome.picons.set(channel.id, key);
      },
      signal,
    );
    return outcome;
  }

  private async fetch(
    channel: Channel,
    key: string,
    stored: StoredPicon | undefined,
    now: number,
    outcome: PiconOutcome,
    signal: AbortSignal,
  ): Promise<boolean> {
    const parsed = parseServiceRef(channel.ref);
    if (!parsed) return false;
    try {
      for (const candidate of piconCandidates(parsed, channel.ref, channel.name)) {
        const png = await this.receiver.picon(candidate, signal);
        if (png) {
          await this.store.put(key, png, candidate, now);
          outcome.fetched++;
          return true;
        }
      }
      await this.store.putMissing(key, now);
      return false;
    } catch (error) {
      signal.throwIfAborted();
      outcome.failures.push(toFailure('picon', key, channel.name, error));
      return stored?.present ?? false;
    }
  }
}
