import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { ObjectStore } from '@nats-io/obj';
import { Bucket, E2gateError, ErrorCode } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

export interface StoredArtifact {
  name: string;
  size: number;
  /** When it was written (epoch ms). */
  writtenAtMs: number;
  /** The job and attempt that wrote it. */
  jobId?: string;
  attempt?: number;
}

/** The `artifacts` Object Store from the workers' side: finished attempts' files in, expired or surplus ones out. */
@Injectable()
export class ArtifactStoreRepository {
  private store: ObjectStore | null = null;

  constructor(private readonly nats: NatsConnectionService) {}

  /** Streams a file into the store under `name` (chunked: never more than a chunk in memory). */
  async put(name: string, path: string, metadata: Record<string, string>): Promise<number> {
    const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
    const info = await (await this.open()).put({ name, metadata }, body);
    return info.size;
  }

  /** Reads an artefact start to end; `onData` gets each chunk and the object's size (a promise holds the read). */
  async read(
    name: string,
    onData: (chunk: Buffer, size: number) => void | Promise<void>,
    signal: AbortSignal,
  ): Promise<number> {
    const result = await (await this.open()).get(name);
    if (!result) throw new E2gateError(ErrorCode.NotFound, `no artifact ${name}`);
    const reader = result.data.getReader();
    let bytes = 0;
    try {
      for (;;) {
        signal.throwIfAborted();
        const { value, done } = await reader.read();
        if (done) break;
        bytes += value.length;
        await onData(Buffer.from(value.buffer, value.byteOffset, value.length), result.info.size);
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    const failure = await result.error;
    if (failure) throw failure;
    return bytes;
  }

  async remove(name: string): Promise<void> {
    await (await this.open()).delete(name).catch(() => undefined);
  }

  async list(): Promise<StoredArtifact[]> {
    const infos = await (await this.open()).list();
    return infos
      .filter((info) => !info.deleted)
      .map((info) => ({
        name: info.name,
        size: info.size,
        writtenAtMs: Date.parse(info.mtime),
        ...(info.metadata?.['jobId'] ? { jobId: info.metadata['jobId'] } : {}),
        ...(info.metadata?.['attempt'] ? { attempt: Number(info.metadata['attempt']) } : {}),
      }));
  }

  private async open(): Promise<ObjectStore> {
    return (this.store ??= await (await this.nats.objm()).open(Bucket.Artifacts));
  }
}
