import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Rendered } from '../services/render-cache.js';
import type { EntityTags } from './entity-tag.js';
import type { JsonBody } from './json-body.js';

/** Below this, gzip costs more than the bytes it saves (a few now/next items, say). */
const GZIP_MIN_BYTES = 1024;

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
  reply.header('cache-control', 'private, no-cache');
  if (notModified(request, reply, rendered, gzip)) return reply;
  reply.header('content-type', rendered.contentType);
  if (gzip) return reply.header('content-encoding', 'gzip').code(200).send(rendered.gzip);
  if (rendered.body) return reply.code(200).send(rendered.body);
  reply.header('content-length', String(rendered.bodyLength));
  return reply.code(200).send(Readable.from([rendered.gzip]).pipe(createGunzip()));
}

/** Sends a serialised JSON answer as it is: 304 when the client has it, gzip when accepted and worth it. */
export async function sendJson(
  request: FastifyRequest,
  reply: FastifyReply,
  body: JsonBody,
): Promise<FastifyReply> {
  const gzip = body.bytes.length >= GZIP_MIN_BYTES && acceptsGzip(request.headers['accept-encoding']);
  if (notModified(request, reply, body, gzip)) return reply;
  reply.header('content-type', body.contentType).code(200);
  if (!gzip) return reply.send(body.bytes);
  return reply.header('content-encoding', 'gzip').send(await body.gzip());
}

/** Sets `Vary` and the ETag of the chosen encoding; answers 304 (true) when the client's copy is current. */
function notModified(request: FastifyRequest, reply: FastifyReply, tags: EntityTags, gzip: boolean): boolean {
  reply.header('vary', 'Accept-Encoding').header('etag', gzip ? tags.etagGzip : tags.etag);
  if (!matchesIfNoneMatch(request.headers['if-none-match'], [tags.etag, tags.etagGzip])) return false;
  void reply.code(304).send();
  return true;
}
