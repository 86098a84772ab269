import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import {
  OpenWebifClient,
  type BouquetInfo,
  type BreakerState,
  type MovieDirectory,
  type ReceiverEvent,
  type ReceiverInfo,
  type ServiceListing,
} from '@e2gate/openwebif';
import { NatsConnectionService, receiverRequestBudget } from '@e2gate/nats';
import { CatalogMetrics } from '../metrics/catalog.metrics.js';

/** The catalog's only door to the receiver: one policy-wrapped client shared by every refresh step. */
@Injectable()
export class ReceiverRepository {
  private readonly client: OpenWebifClient;

  constructor(
    @Inject(APP_CONFIG) config: CatalogConfig,
    metrics: CatalogMetrics,
    nats: NatsConnectionService,
  ) {
    this.client = new OpenWebifClient({
      baseUrl: config.receiver.url,
      ...(config.receiver.user === undefined ? {} : { user: config.receiver.user }),
      ...(config.receiver.password === undefined ? {} : { password: config.receiver.password }),
      timeoutMs: config.receiver.timeoutMs,
      retries: config.receiver.retries,
      maxRps: config.receiver.maxRps,
      concurrency: config.receiver.concurrency,
      epgConcurrency: config.receiver.epgConcurrency,
      // One budget for the box, shared with the transcoders (and other catalog replicas).
      sharedBudget: receiverRequestBudget(nats, config.receiver.maxRps),
      observer: {
        onAttempt: ({ endpoint, outcome, durationMs }) =>
          metrics.receiverAttempt(endpoint, outcome, durationMs),
        onBreakerStateChange: (state) => metrics.breakerState(state),
      },
    });
  }

  get breakerState(): BreakerState {
    return this.client.breakerState;
  }

  about(signal: AbortSignal): Promise<ReceiverInfo> {
    return this.client.about({ signal });
  }

  tvBouquets(signal: AbortSignal): Promise<BouquetInfo[]> {
    return this.client.bouquets('tv', { signal });
  }

  radioBouquets(signal: AbortSignal): Promise<BouquetInfo[]> {
    return this.client.bouquets('radio', { signal });
  }

  services(bouquetRef: string, signal: AbortSignal): Promise<ServiceListing> {
    return this.client.services(bouquetRef, { signal });
  }

  epg(ref: string, from: number, to: number, signal: AbortSignal): Promise<ReceiverEvent[]> {
    return this.client.epgService(ref, from, to, { signal });
  }

  epgNowNext(bouquetRef: string, signal: AbortSignal): Promise<ReceiverEvent[]> {
    return this.client.epgNowNext(bouquetRef, { signal });
  }

  epgXml(ref: string, from: number, to: number, signal: AbortSignal): Promise<ReceiverEvent[]> {
    return this.client.epgServiceXml(ref, from, to, { signal });
  }

  movieLocations(signal: AbortSignal): Promise<string[]> {
    return this.client.movieLocations({ signal });
  }

  movies(directory: string | undefined, signal: AbortSignal): Promise<MovieDirectory> {
    return this.client.movies(directory, { signal });
  }

  picon(fileName: string, signal: AbortSignal): Promise<Uint8Array | null> {
    return this.client.picon(fileName, { signal });
  }
}
