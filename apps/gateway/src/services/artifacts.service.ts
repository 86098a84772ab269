import { Readable, Transform } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { E2gateError, ErrorCode, HttpEdgeErrorCode, newArtifactId } from '@e2gate/contracts';
import type { ArtifactDto } from '../dto/job.dto.js';
import { ClockRepository } from '@e2gate/observability';
import { parseByteRange } from '../http/byte-range.js';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import { ArtifactStoreRepository } from '../repositories/artifact-store.repository.js';

export interface ArtifactDownload {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

const TS_PACKET = 188;
const TS_SYNC = 0x47;
export const TS_CONTENT_TYPE = 'video/mp2t';

/**
 * `GET /api/v1/artifacts/<id>`: a job's output with ranges (seeking in a `<video>`), its type and file name.
 * `POST /api/v1/artifacts`: a transport stream uploaded for a `remux` job, streamed into the store (never held in
 * memory), bounded by `E2GATE_UPLOAD_MAX_BYTES`.
 */
@Injectable()
export class ArtifactsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly store: ArtifactStoreRepository,
    private readonly clock: ClockRepository,
  ) {}

  async upload(
    body: unknown,
    headers: { contentType?: string; contentLength?: string },
    name: string | undefined,
  ): Promise<ArtifactDto> {
    if (
      headers.contentType?.split(';')[0]?.trim().toLowerCase() !== TS_CONTENT_TYPE ||
      !(body instanceof Readable)
    ) {
      throw new GatewayHttpError(HttpEdgeErrorCode.UnsupportedMediaType, `uploads are ${TS_CONTENT_TYPE}`);
    }
    if (Number(headers.contentLength ?? 0) > this.config.jobs.uploadMaxBytes)
      throw tooLarge(this.config.jobs.uploadMaxBytes);
    const artifactId = newArtifactId(this.clock.nowMs());
    const fileName = name?.trim() || `${artifactId}.ts`;
    const check = new UploadCheck(this.config.jobs.uploadMaxBytes);
    try {
      const sizeBytes = await this.store.put(
        artifactId,
        Readable.toWeb(check.reading(body)) as ReadableStream<Uint8Array>,
        { fileName, contentType: TS_CONTENT_TYPE, upload: '1' },
      );
      if (check.failure) throw check.failure;
      if (sizeBytes < TS_PACKET) {
        throw new E2gateError(
          ErrorCode.ValidationFailed,
          'the upload holds not even one transport stream packet',
        );
      }
      return { artifactId, fileName, contentType: TS_CONTENT_TYPE, sizeBytes };
    } catch (error) {
      await this.store.remove(artifactId);
      throw check.failure ?? error;
    }
  }

  /** An uploaded transport stream, for a remux job's spec; 404 when there is none of that id. */
  async uploaded(artifactId: string): Promise<void> {
    const info = await this.store.info(artifactId);
    if (!info || info.contentType !== TS_CONTENT_TYPE) {
      throw new E2gateError(ErrorCode.NotFound, `no uploaded transport stream ${artifactId}`);
    }
  }

  async download(artifactId: string, rangeHeader: string | undefined): Promise<ArtifactDownload> {
    const info = await this.store.info(artifactId);
    if (!info) throw new E2gateError(ErrorCode.NotFound, `no artifact ${artifactId} (expired or never made)`);
    const range = parseByteRange(rangeHeader, info.size);
    if (range === 'unsatisfiable') {
      throw new GatewayHttpError(ErrorCode.RangeNotSatisfiable, `the artifact has ${info.size} bytes`, {
        'content-range': `bytes */${info.size}`,
      });
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? info.size - 1;
    const headers: Record<string, string> = {
      'content-type': info.contentType,
      'content-length': String(Math.max(0, end - start + 1)),
      'accept-ranges': 'bytes',
      'content-disposition': contentDisposition(info.fileName),
      etag: `"${info.digest.replace(/^SHA-256=/, '')}"`,
      'last-modified': info.modifiedAt.toUTCString(),
      // An artefact id names one immutable file.
      'cache-control': 'private, max-age=86400, immutable',
    };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
    const body = await this.store.read(artifactId, start, end);
    return { status: range ? 206 : 200, headers, body };
  }
}

/** `inline` (a browser plays it), with an ASCII fallback name and the exact UTF-8 one (RFC 6266, RFC 8187). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function tooLarge(maxBytes: number): GatewayHttpError {
  return new GatewayHttpError(HttpEdgeErrorCode.PayloadTooLarge, `uploads are at most ${maxBytes} bytes`);
}

/** Counts an upload's bytes against the limit and checks that it starts like a transport stream. */
class UploadCheck extends Transform {
  failure: Error | null = null;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ) {
    if (this.bytes === 0 && chunk[0] !== TS_SYNC) {
      return done(
        this.fail(new E2gateError(ErrorCode.ValidationFailed, 'the upload is not an MPEG transport stream')),
      );
    }
    if (
      this.bytes < TS_PACKET &&
      this.bytes + chunk.length > TS_PACKET &&
      chunk[TS_PACKET - this.bytes] !== TS_SYNC
    ) {
      return done(
        this.fail(new E2gateError(ErrorCode.ValidationFailed, 'the upload is not an MPEG transport stream')),
      );
    }
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(this.fail(tooLarge(this.maxBytes)));
    done(null, chunk);
  }

  /**
   * Pipes the request through this check. A client that hangs up fails the read (the store does not wait forever);
   * a refused upload stops being stored, and the rest of the request is left to Node, which discards it after the
   * error answer, so the client reads that answer instead of a reset connection.
   */
  reading(body: Readable): this {
    body.once('error', (error) => this.destroy(error));
    body.once('close', () => {
      if ((body as { complete?: boolean }).complete === false) {
        this.destroy(new Error('the client hung up during the upload'));
      }
    });
    this.once('error', () => {
      body.unpipe(this);
      body.resume();
    });
    return body.pipe(this);
  }

  private fail(error: Error): Error {
    this.failure = error;
    return error;
  }
}
