import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access-policy.js';
import { HlsIndexQuery, StreamParams } from '../dto/query.dto.js';
import { ApiErrors, PlayerSecurity } from '../http/openapi-decorators.js';
import { requestIdOf } from '../http/request-context.js';
import { HlsService } from '../services/hls.service.js';
import { HLS_PLAYLIST_TYPE } from './hls-media.routes.js';

const playlistContent = { [HLS_PLAYLIST_TYPE]: { schema: { type: 'string' } } };

/**
 * Browser HLS. `index.m3u8` needs a credential (token, `?token=`, signed URL); every URI inside it is relative and
 * carries a per-viewer capability that opens that session's playlists and segments only (hls-media.routes.ts).
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
      'Opens or joins the channel’s HLS session and answers once its first segment exists: H.264 (copied when the ' +
      'source is progressive H.264, transcoded from MPEG-2, HEVC or interlaced video by the default profile), one ' +
      'AAC stereo rendition per audio language (and the broadcast AC-3 beside it), a timeshift window to seek in.',
  })
  @ApiOkResponse({ content: playlistContent })
  @ApiErrors(400, 401, 403, 404, 429, 502, 503, 504)
  async index(
    @Param() params: StreamParams,
    @Query() query: HlsIndexQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const profile = query.profile === 'auto' ? 'h264' : query.profile;
    const text = await this.hls.open(params.channelId, profile, requestIdOf(request));
    return reply
      .header('content-type', HLS_PLAYLIST_TYPE)
      .header('cache-control', 'no-store') // a new viewer link each time
      .send(text);
  }
}
