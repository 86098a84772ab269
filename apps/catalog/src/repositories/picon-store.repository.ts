import { Injectable } from '@nestjs/common';
import type { ObjectStore } from '@nats-io/obj';
import { Bucket, piconObjectName } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

export interface StoredPicon {
  /** False for a negative entry (the receiver had no picon under any fallback name). */
  present: boolean;
  checkedAt: number;
}

/** The `picons` Object Store: `<name>.png`, plus negative entries (empty, metadata `missing=1`). */
@Injectable()
export class PiconStoreRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  async list(): Promise<Map<string, StoredPicon>> {
    const out = new Map<string, StoredPicon>();
    for (const info of await (await this.store()).list()) {
      if (info.deleted || !info.name.endsWith('.png')) continue;
      out.set(info.name.slice(0, -4), {
        present: info.metadata?.['missing'] !== '1',
        checkedAt: Number(info.metadata?.['checkedAt'] ?? Date.parse(info.mtime)),
      });
    }
    return out;
  }

  async put(name: string, png: Uint8Array, source: string, checkedAt: number): Promise<void> {
    await (
      await this.store()
    ).putBlob({ name: piconObjectName(name), metadata: { source, checkedAt: String(checkedAt) } }, png);
  }

  async putMissing(name: string, checkedAt: number): Promise<void> {
    await (
      await this.store()
    ).putBlob(
      { name: piconObjectName(name), metadata: { missing: '1', checkedAt: String(checkedAt) } },
      new Uint8Array(),
    );
  }

  private async store(): Promise<ObjectStore> {
    return (await this.nats.objm()).open(Bucket.Picons);
  }
}
