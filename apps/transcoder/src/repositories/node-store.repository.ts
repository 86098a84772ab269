import { Injectable } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { Bucket, nodeKey, type NodeRecord } from '@e2gate/contracts';
import { NatsConnectionService, storedKvKeys } from '@e2gate/nats';

/** The `nodes` KV: each transcoder's record, refreshed by its heartbeat, lapsing three beats after it stops. */
@Injectable()
export class NodeStoreRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  async put(record: NodeRecord): Promise<void> {
    await (await this.kv()).put(nodeKey(record.nodeId), JSON.stringify(record));
  }

  async remove(nodeId: string): Promise<void> {
    await (await this.kv()).delete(nodeKey(nodeId));
  }

  /** The node's live record, or null once it has lapsed (three missed heartbeats) or was removed. */
  async get(nodeId: string): Promise<NodeRecord | null> {
    const entry = await (await this.kv()).get(nodeKey(nodeId));
    return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<NodeRecord>() : null;
  }

  async list(): Promise<NodeRecord[]> {
    const kv = await this.kv();
    const nodes: NodeRecord[] = [];
    for (const key of await storedKvKeys(await this.nats.jsm(), Bucket.Nodes)) {
      const entry = await kv.get(key);
      if (entry && entry.operation === 'PUT' && entry.length > 0) nodes.push(entry.json<NodeRecord>());
    }
    return nodes;
  }

  private async kv(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.Nodes);
  }
}
