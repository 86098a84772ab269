import { Injectable } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import {
  Bucket,
  hlsIndexKey,
  hlsSegmentObject,
  Subject,
  type HlsIndex,
  type TranscoderSessionSegmentEvent,
} from '@e2gate/contracts';
import { NatsClientService, NatsConnectionService } from '@e2gate/nats';

/**
 * The gateway's side of HLS storage: session segment indexes from the `sessions` KV, segment parts from the `hls`
 * Object Store, and the transcoders' segment events.
 */
@Injectable()
export class HlsStoreRepository {
  private indexes: KV | null = null;
  private segments: ObjectStore | null = null;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly client: NatsClientService,
  ) {}

  /** The session's index; null when it has none (not an HLS session, not started yet, or ended). */
  async index(sessionId: string): Promise<HlsIndex | null> {
    const kv = (this.indexes ??= await (await this.nats.kvm()).open(Bucket.Sessions));
    const entry = await kv.get(hlsIndexKey(sessionId));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
    return entry.json<HlsIndex>();
  }

  /** One rendition's part of a segment; null when it is not (or no longer) stored. */
  async part(sessionId: string, rendition: string, sequence: number): Promise<Uint8Array | null> {
    const store = (this.segments ??= await (await this.nats.objm()).open(Bucket.Hls));
    try {
      return await store.getBlob(hlsSegmentObject(sessionId, rendition, sequence));
    } catch {
      return null; // dropped at the store's byte limit while being read: the same as gone
    }
  }

  onSegment(listener: (event: TranscoderSessionSegmentEvent) => void): Promise<unknown> {
    return this.client.subscribe(Subject.TranscoderEvtSessionSegment, listener);
  }
}
