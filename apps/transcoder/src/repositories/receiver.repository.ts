import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type TranscoderConfig } from '@e2gate/config';
import { NatsConnectionService, receiverRequestBudget } from '@e2gate/nats';
import { OpenWebifClient, type StreamTarget } from '@e2gate/openwebif';

/** The transcoder's door to the receiver's web API: where a service streams (`/web/stream.m3u`). */
@Injectable()
export class ReceiverRepository {
  private readonly client: OpenWebifClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: TranscoderConfig,
    nats: NatsConnectionService,
  ) {
    this.client = new OpenWebifClient({
      baseUrl: config.receiver.url,
      ...(config.receiver.user === undefined ? {} : { user: config.receiver.user }),
      ...(config.receiver.password === undefined ? {} : { password: config.receiver.password }),
      timeoutMs: config.receiver.timeoutMs,
      retries: config.receiver.retries,
      maxRps: config.receiver.maxRps,
      concurrency: 4,
      epgConcurrency: 1,
      // One budget for the box, shared with the catalog and the other transcoders.
      sharedBudget: receiverRequestBudget(nats, config.receiver.maxRps),
    });
  }

  /** The stream URL and program of a service, resolved by the box (ports 8001, 17999, … are its choice). */
  streamTarget(ref: string, name: string, signal: AbortSignal): Promise<StreamTarget> {
    return this.client.streamTarget(ref, name, { signal });
  }

  /** Basic credentials for the stream port when the stream URL carries none (the box's streaming auth). */
  get credentials(): { user: string; password: string } | null {
    const { user, password, url } = this.config.receiver;
    if (user !== undefined) return { user, password: password ?? '' };
    const inUrl = new URL(url);
    if (!inUrl.username) return null;
    return { user: decodeURIComponent(inUrl.username), password: decodeURIComponent(inUrl.password) };
  }
}
