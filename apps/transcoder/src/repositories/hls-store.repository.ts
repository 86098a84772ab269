import { Injectable } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { Bucket, hlsIndexKey, hlsSegmentObject, Subject, type HlsIndex } from '@e2gate/contracts';
import { NatsClientService, NatsConnectionService } from '@e2gate/nats';

/**
 * The transcoder's side of HLS storage: segment parts into the `hls` Object Store (kept for the timeshift window by
 * the bucket's TTL, oldest dropped first at its byte limit), the session's segment index into the `sessions` KV,
 * and the segment event that wakes gateways.
 */
@Injectable()
export class HlsStoreRepository {
  private segments: ObjectStore | null = null;
  private index: KV | null = null;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly client: NatsClientService,
  ) {}

  async putPart(sessionId: string, rendition: string, sequence: number, bytes: Uint8Array): Promise<void> {
    const store = (this.segments ??= await (await this.nats.objm()).open(Bucket.Hls));
    await store.putBlob({ name: hlsSegmentObject(sessionId, rendition, sequence) }, bytes);
  }

  async putIndex(index: HlsIndex): Promise<void> {
    await (await this.indexKv()).put(hlsIndexKey(index.sessionId), JSON.stringify(index));
  }

  async removeIndex(sessionId: string): Promise<void> {
    await (await this.indexKv()).delete(hlsIndexKey(sessionId));
  }

  announce(sessionId: string, sequence: number): Promise<void> {
    return this.client.publish(Subject.TranscoderEvtSessionSegment, { sessionId, sequence });
  }

  private async indexKv(): Promise<KV> {
    return (this.index ??= await (await this.nats.kvm()).open(Bucket.Sessions));
  }
}
