import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Rendered } from '../services/render-cache.js';

/** True when `Accept-Encoding` admits gzip (a `q=0` refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** `If-None-Match` against our tags (weak comparison, as RFC 9110 asks for GET). */
export function matchesIfNoneMatch(header: string | undefined, tags: readonly string[]): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = new Set(tags.map(bare));
  return header.split(',').some((candidate) => bare(candidate) === '*' || wanted.has(bare(candidate)));
}

/**
 * Sends a rendered document: 304 when the client has it, gzip bytes when accepted. `private`: the bytes depend on
 * who asked (signed URLs), `no-cache`: always revalidate, which is one cheap round trip thanks to the ETag.
 */
export function sendRendered(
  request: FastifyRequest,
  reply: FastifyReply,
  rendered: Rendered,
  negotiateEncoding = true,
): FastifyReply {
  const gzip = negotiateEncoding && acceptsGzip(request.headers['accept-encoding']);
  reply
    .header('cache-control', 'private, no-cache')
    .header('vary', 'Accept-Encoding')
    .header('etag', gzip ? rendered.etagGzip : rendered.etag);
  if (matchesIfNoneMatch(request.headers['if-none-match'], [rendered.etag, rendered.etagGzip])) {
    return reply.code(304).send();
  }
  reply.header('content-type', rendered.contentType);
  if (gzip) return reply.header('content-encoding', 'gzip').code(200).send(rendered.gzip);
  if (rendered.body) return reply.code(200).send(rendered.body);
  reply.header('content-length', String(rendered.bodyLength));
  return reply.code(200).send(Readable.from([rendered.gzip]).pipe(createGunzip()));
}
