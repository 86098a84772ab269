import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { entityTagsOf } from './entity-tag.js';

const gzipAsync = promisify(gzip);

/**
 * A JSON answer serialised once, as Fastify would have serialised the value (`JSON.stringify`), with its strong
 * ETags; the gzip encoding is made on first demand and then kept. A cached answer is sent as these bytes, never
 * serialised again.
 */
export class JsonBody {
  readonly contentType = 'application/json; charset=utf-8';
  readonly etag: string;
  readonly etagGzip: string;
  private gzipped: Promise<Buffer> | null = null;

  constructor(readonly bytes: Buffer) {
    ({ etag: this.etag, etagGzip: this.etagGzip } = entityTagsOf(bytes));
  }

  static of(value: unknown): JsonBody {
    return new JsonBody(Buffer.from(JSON.stringify(value), 'utf8'));
  }

  /** The gzip encoding, compressed once (off the event loop) however many callers ask; a failure is not kept. */
  gzip(): Promise<Buffer> {
    this.gzipped ??= gzipAsync(this.bytes).catch((error: unknown) => {
      this.gzipped = null;
      throw error;
    });
    return this.gzipped;
  }
}
