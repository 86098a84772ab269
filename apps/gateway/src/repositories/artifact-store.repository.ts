import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { ObjectStore } from '@nats-io/obj';
import { Bucket } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

export interface ArtifactInfo {
  size: number;
  fileName: string;
  contentType: string;
  /** Content digest (`SHA-256=…`), the base of the ETag. */
  digest: string;
  modifiedAt: Date;
}

/**
 * Job outputs in the `artifacts` Object Store, read for download. A range is read from the object's first chunk
 * and the bytes before it are skipped (the store has no seek): a seek into a large file costs reading up to it
 * inside NATS, not the client's bandwidth.
 */
@Injectable()
export class ArtifactStoreRepository {
  private store: ObjectStore | null = null;

  constructor(private readonly nats: NatsConnectionService) {}

  async info(name: string): Promise<ArtifactInfo | null> {
    const info = await (await this.open()).info(name);
    if (!info || info.deleted) return null;
    return {
      size: info.size,
      fileName: info.metadata?.['fileName'] ?? name,
      contentType: info.metadata?.['contentType'] ?? 'application/octet-stream',
      digest: info.digest,
      modifiedAt: new Date(info.mtime),
    };
  }

  /** Streams `body` into the store under `name`; returns the stored size. */
  async put(
    name: string,
    body: ReadableStream<Uint8Array>,
    metadata: Record<string, string>,
  ): Promise<number> {
    return (await (await this.open()).put({ name, metadata }, body)).size;
  }

  async remove(name: string): Promise<void> {
    await (await this.open()).delete(name).catch(() => undefined);
  }

  /** Bytes the store holds (every artefact). */
  async totalBytes(): Promise<number> {
    return (await (await this.open()).status()).size;
  }

  /** Bytes `start`–`end` (inclusive) of the object as a stream; destroying it stops the read. */
  async read(name: string, start: number, end: number): Promise<Readable> {
    const result = await (await this.open()).get(name);
    if (!result) throw new Error(`artifact ${name} vanished`);
    return Readable.from(slice(result.data, start, end));
  }

  private async open(): Promise<ObjectStore> {
    return (this.store ??= await (await this.nats.objm()).open(Bucket.Artifacts));
  }
}

async function* slice(data: ReadableStream<Uint8Array>, start: number, end: number): AsyncGenerator<Buffer> {
  const reader = data.getReader();
  let offset = 0;
  try {
    while (offset <= end) {
      const { value, done } = await reader.read();
      if (done) return;
      const chunkStart = offset;
      offset += value.length;
      if (offset <= start) continue;
      const from = Math.max(0, start - chunkStart);
      const to = Math.min(value.length, end - chunkStart + 1);
      yield Buffer.from(value.buffer, value.byteOffset + from, to - from);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
