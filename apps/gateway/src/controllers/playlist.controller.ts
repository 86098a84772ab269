import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { Access } from '../auth/access-policy.js';
import { hasScope } from '../auth/principal.js';
import { PlaylistQuery } from '../dto/query.dto.js';
import { baseUrlOf } from '../http/base-url.js';
import { sendRendered } from '../http/conditional.js';
import { ApiErrors, PlayerSecurity } from '../http/openapi-decorators.js';
import { DocumentsService } from '../services/documents.service.js';

const CONDITIONAL = {
  ETag: {
    description: 'Derived from the snapshot version and everything else that changes the bytes',
    schema: { type: 'string' },
  },
};
const text = (type: string, format?: string) => ({
  [type]: { schema: { type: 'string', ...(format ? { format } : {}) } },
});
const NotModified = () => ApiResponse({ status: 304, description: 'Not modified (If-None-Match)' });

/** `/playlist.m3u` and the XMLTV guide: rendered once per snapshot version, ETag/304, gzip. */
@ApiTags('playlists')
@Controller()
export class PlaylistController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly documents: DocumentsService,
  ) {}

  @Get('playlist.m3u')
  @Access('read', { queryToken: true })
  @PlayerSecurity(false)
  @ApiOperation({ summary: 'M3U playlist for Jellyfin, Kodi IPTV Simple, TiviMate, VLC' })
  @ApiOkResponse({ content: text('audio/x-mpegurl'), headers: CONDITIONAL, description: 'The playlist' })
  @NotModified()
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async playlist(@Query() query: PlaylistQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const rendered = await this.documents.playlist(
      { baseUrl: baseUrlOf(this.config, request), signStreams: hasScope(request.principal, 'stream') },
      query.bouquet,
    );
    return sendRendered(request, reply, rendered);
  }

  @Get('xmltv.xml')
  @Access('read', { queryToken: true, signed: true })
  @PlayerSecurity()
  @ApiOperation({ summary: 'XMLTV guide (valid against the XMLTV DTD)' })
  @ApiOkResponse({ content: text('application/xml'), headers: CONDITIONAL, description: 'The guide' })
  @NotModified()
  @ApiErrors(400, 401, 403, 429, 503)
  async xmltv(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return sendRendered(request, reply, await this.documents.xmltv(baseUrlOf(this.config, request)));
  }

  @Get('xmltv.xml.gz')
  @Access('read', { queryToken: true, signed: true })
  @PlayerSecurity()
  @ApiOperation({ summary: 'XMLTV guide, gzip-compressed file' })
  @ApiOkResponse({
    content: text('application/gzip', 'binary'),
    headers: CONDITIONAL,
    description: 'The guide',
  })
  @NotModified()
  @ApiErrors(400, 401, 403, 429, 503)
  async xmltvGz(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const rendered = await this.documents.xmltv(baseUrlOf(this.config, request));
    const file = {
      ...rendered,
      body: rendered.gzip,
      bodyLength: rendered.gzip.length,
      etag: rendered.etagGzip,
      contentType: 'application/gzip',
    };
    return sendRendered(request, reply, file, false);
  }
}
