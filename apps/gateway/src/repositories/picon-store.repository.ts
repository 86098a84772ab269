import { Injectable } from '@nestjs/common';
import { Bucket, piconObjectName } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

export type StoredPiconLookup =
  { kind: 'found'; png: Uint8Array; digest: string } | { kind: 'missing' } | { kind: 'absent' };

/** Reads the `picons` Object Store the catalog fills (negative entries: empty objects, metadata `missing=1`). */
@Injectable()
export class PiconStoreRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  async get(name: string): Promise<StoredPiconLookup> {
    const store = await (await this.nats.objm()).open(Bucket.Picons);
    const info = await store.info(piconObjectName(name));
    if (!info || info.deleted) return { kind: 'absent' };
    if (info.metadata?.['missing'] === '1' || info.size === 0) return { kind: 'missing' };
    const png = await store.getBlob(piconObjectName(name));
    if (!png) return { kind: 'absent' };
    return { kind: 'found', png, digest: info.digest };
  }
}
