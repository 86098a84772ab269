import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { logFailedRequests } from '@e2gate/observability';
import { CHANNEL_ID_PATTERN } from '../dto/query.dto.js';
import { acceptsGzip, matchesIfNoneMatch } from '../http/conditional.js';
import type { HlsService, RenderedPlaylist } from '../services/hls.service.js';

export const HLS_PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_TYPE = 'video/mp2t';

/** The capability every media link carries (`s/<sessionId>/<viewer>/<exp>/<sig>/`), see `HlsLinks`. */
const LINK = '/hls/:channelId/s/:sessionId/:viewer/:exp/:sig';
export const HLS_PLAYLIST_ROUTE = `${LINK}/:playlist`;
export const HLS_SEGMENT_ROUTE = `${LINK}/:rendition/:segment`;

/** What each path parameter of these routes must look like (also the OpenAPI patterns). */
export const HLS_MEDIA_PARAM_PATTERNS = {
  channelId: CHANNEL_ID_PATTERN,
  sessionId: '^[a-z0-9][a-z0-9-]{0,120}$',
  viewer: '^[0-9a-f]{12}$',
  exp: '^[0-9]{1,12}$',
  sig: '^[A-Za-z0-9_-]{32}$',
  playlist: '^(v[1-9]?|a[0-9]{1,2})\\.m3u8$',
  rendition: '^(v[1-9]?|a[0-9]{1,2})$',
  segment: '^[0-9]{1,12}\\.ts$',
} as const;

type ParamName = keyof typeof HLS_MEDIA_PARAM_PATTERNS;
type Params = Record<ParamName, string>;

const MATCHERS = Object.entries(HLS_MEDIA_PARAM_PATTERNS).map(
  ([name, pattern]) => [name as ParamName, new RegExp(pattern)] as const,
);

/** Requests for these routes (and nothing else the gateway serves): `/hls/<channel>/s/…`. */
export function isHlsMediaUrl(url: string): boolean {
  return url.startsWith('/hls/') && url.indexOf('/s/', 5) !== -1;
}

/**
 * Media playlists and segments: every viewer asks for them about once a second, so they are served by the lean
 * Fastify instance (`LeanRoutes`) without Nest's middleware, guards, pipes and request logging (they are public:
 * the link itself is the capability, checked by the service); only their failures are logged.
 */
export function serveHlsMedia(fastify: FastifyInstance, hls: HlsService): void {
  const onResponse = logFailedRequests('HlsMedia');
  fastify.get(HLS_PLAYLIST_ROUTE, { onResponse }, (request, reply) => playlist(hls, request, reply));
  fastify.get(HLS_SEGMENT_ROUTE, { onResponse }, (request, reply) => segment(hls, request, reply));
}

function playlist(
  hls: HlsService,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | Promise<FastifyReply> {
  const params = validParams(request.params);
  const rendered = hls.mediaPlaylist(params, params.playlist.slice(0, -'.m3u8'.length));
  return rendered instanceof Promise
    ? rendered.then((r) => sendPlaylist(request, reply, r))
    : sendPlaylist(request, reply, rendered);
}

function sendPlaylist(
  request: FastifyRequest,
  reply: FastifyReply,
  rendered: RenderedPlaylist,
): FastifyReply {
  reply.header('cache-control', 'no-cache').header('vary', 'Accept-Encoding').header('etag', rendered.etag);
  if (matchesIfNoneMatch(request.headers['if-none-match'], [rendered.etag])) return reply.code(304).send();
  reply.header('content-type', HLS_PLAYLIST_TYPE);
  if (acceptsGzip(request.headers['accept-encoding'])) {
    return reply.header('content-encoding', 'gzip').send(rendered.gzip);
  }
  return reply.send(rendered.body);
}

async function segment(hls: HlsService, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = validParams(request.params);
  const sequence = Number(params.segment.slice(0, -'.ts'.length));
  const etag = `"${params.sessionId}-${params.rendition}-${sequence}"`;
  reply.header('cache-control', 'private, max-age=86400, immutable').header('etag', etag);
  if (matchesIfNoneMatch(request.headers['if-none-match'], [etag])) return reply.code(304).send();
  const bytes = await hls.segment(params, params.rendition, sequence);
  return reply
    .header('content-type', SEGMENT_TYPE)
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}

/** The route's path parameters, each checked against its pattern (400 VALIDATION_FAILED as elsewhere). */
function validParams(raw: unknown): Params {
  const params = raw as Record<string, string>;
  const wrong = MATCHERS.filter(([name, matcher]) => name in params && !matcher.test(params[name]!)).map(
    ([name]) => name,
  );
  if (wrong.length > 0) {
    const details = Object.fromEntries(
      wrong.map((name) => [
        name,
        [`${name} must match ${HLS_MEDIA_PARAM_PATTERNS[name]} regular expression`],
      ]),
    );
    throw new E2gateError(ErrorCode.ValidationFailed, `invalid request: ${wrong.join(', ')}`, details);
  }
  return params as Params;
}
