import { Injectable } from '@nestjs/common';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { STREAM_KEY_HEADER, streamDataSubject } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

/** The core-NATS side of TS delivery: chunks on `stream.data.<sessionId>`, an empty message at the end. */
@Injectable()
export class StreamPublisherRepository {
  private nc: NatsConnection | null = null;

  constructor(private readonly nats: NatsConnectionService) {}

  async ready(): Promise<void> {
    this.nc ??= await this.nats.connection();
  }

  /** Publishes one chunk; `key` marks a chunk a new viewer can start with (PAT, PMT, keyframe). */
  publish(sessionId: string, chunk: Uint8Array, key: boolean): void {
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    if (!key) {
      nc.publish(streamDataSubject(sessionId), chunk);
      return;
    }
    const headers = natsHeaders();
    headers.set(STREAM_KEY_HEADER, '1');
    nc.publish(streamDataSubject(sessionId), chunk, { headers });
  }

  end(sessionId: string): void {
    if (this.nc && !this.nc.isClosed()) this.nc.publish(streamDataSubject(sessionId), new Uint8Array());
  }
}
