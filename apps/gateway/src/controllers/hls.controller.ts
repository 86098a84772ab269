import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, Public } from '../auth/access-policy.js';
import { HlsPlaylistParams, HlsSegmentParams, StreamParams } from '../dto/query.dto.js';
import { acceptsGzip, matchesIfNoneMatch } from '../http/conditional.js';
import { ApiErrors, PlayerSecurity } from '../http/openapi-decorators.js';
import { requestIdOf } from '../http/request-context.js';
import { HlsService } from '../services/hls.service.js';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const playlistContent = { [PLAYLIST_TYPE]: { schema: { type: 'string' } } };

/**
 * Browser HLS. `index.m3u8` needs a credential (token, `?token=`, signed URL); every URI inside it is relative and
 * carries a per-viewer capability that opens that session's playlists and segments only.
 */
@ApiTags('streams')
@Controller('hls/:channelId')
export class HlsController {
  constructor(private readonly hls: HlsService) {}

  @Get('index.m3u8')
  @Access('stream', { queryToken: true, signed: true })
  @PlayerSecurity()
  @ApiOperation({
    summary: 'Live HLS of a channel (multivariant playlist)',
    description:
      'Opens or joins the channel’s HLS session and answers once its first segment exists: H.264 copied, one AAC ' +
      'stereo rendition per audio language (and the broadcast AC-3 beside it), a timeshift window to seek in.',
  })
  @ApiOkResponse({ content: playlistContent })
  @ApiErrors(400, 401, 403, 404, 429, 502, 503, 504)
  async index(@Param() params: StreamParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const text = await this.hls.open(params.channelId, requestIdOf(request));
    return reply
      .header('content-type', PLAYLIST_TYPE)
      .header('cache-control', 'no-store') // a new viewer link each time
      .send(text);
  }

  @Get('s/:sessionId/:viewer/:exp/:sig/:playlist')
  @Public()
  @ApiOperation({ summary: 'Media playlist of one rendition (link written into the multivariant playlist)' })
  @ApiOkResponse({ content: playlistContent })
  @ApiErrors(400, 401, 404, 429)
  async playlist(
    @Param() params: HlsPlaylistParams,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const rendered = await this.hls.mediaPlaylist(params, params.playlist.slice(0, -'.m3u8'.length));
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    reply.header('cache-control', 'no-cache').header('vary', 'Accept-Encoding').header('etag', rendered.etag);
    if (matchesIfNoneMatch(request.headers['if-none-match'], [rendered.etag])) return reply.code(304).send();
    reply.header('content-type', PLAYLIST_TYPE);
    if (gzip) return reply.header('content-encoding', 'gzip').send(rendered.gzip);
    return reply.send(rendered.body);
  }

  @Get('s/:sessionId/:viewer/:exp/:sig/:rendition/:segment')
  @Public()
  @ApiOperation({ summary: 'One segment of one rendition (link written into its media playlist)' })
  @ApiOkResponse({ content: { 'video/mp2t': { schema: { type: 'string', format: 'binary' } } } })
  @ApiErrors(400, 401, 404, 429)
  async segment(
    @Param() params: HlsSegmentParams,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const sequence = Number(params.segment.slice(0, -'.ts'.length));
    const etag = `"${params.sessionId}-${params.rendition}-${sequence}"`;
    reply.header('cache-control', 'private, max-age=86400, immutable').header('etag', etag);
    if (matchesIfNoneMatch(request.headers['if-none-match'], [etag])) return reply.code(304).send();
    const bytes = await this.hls.segment(params, params.rendition, sequence);
    return reply
      .header('content-type', 'video/mp2t')
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }
}
