import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { parseByteRange } from '../http/byte-range.js';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import { ArtifactStoreRepository } from '../repositories/artifact-store.repository.js';

export interface ArtifactDownload {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

/** `GET /api/v1/artifacts/<id>`: a job's output with ranges (seeking in a `<video>`), its type and file name. */
@Injectable()
export class ArtifactsService {
  constructor(private readonly store: ArtifactStoreRepository) {}

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
