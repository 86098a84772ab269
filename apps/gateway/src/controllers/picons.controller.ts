import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access-policy.js';
import { PiconParam } from '../dto/query.dto.js';
import { matchesIfNoneMatch } from '../http/conditional.js';
import { ApiErrors, SignedSecurity } from '../http/openapi-decorators.js';
import { PiconsService } from '../services/picons.service.js';

/**
 * Channel logos. Their URLs in playlists and guides are signed, so players never need `?token=` here (it is not
 * accepted: a reusable secret has no business in logo URLs); API clients use `Authorization: Bearer`.
 */
@ApiTags('picons')
@Controller('picons')
export class PiconsController {
  constructor(private readonly picons: PiconsService) {}

  @Get(':file')
  @Access('read', { signed: true })
  @SignedSecurity()
  @ApiOperation({ summary: 'Channel logo (PNG) from the picons store' })
  @ApiOkResponse({
    content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
    headers: { ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match)' })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async picon(@Param() params: PiconParam, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const picon = await this.picons.get(params.file.slice(0, -'.png'.length));
    reply.header('cache-control', 'private, max-age=86400').header('etag', picon.etag);
    if (matchesIfNoneMatch(request.headers['if-none-match'], [picon.etag])) return reply.code(304).send();
    return reply.header('content-type', 'image/png').send(picon.png);
  }
}
