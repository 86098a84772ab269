import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access-policy.js';
import { StreamParams, StreamQuery } from '../dto/query.dto.js';
import { ApiErrors, PlayerSecurity } from '../http/openapi-decorators.js';
import { requestIdOf } from '../http/request-context.js';
import { relayStream } from '../http/stream-reply.js';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { StreamService } from '../services/stream.service.js';

@ApiTags('streams')
@Controller('stream')
export class StreamController {
  constructor(
    private readonly streams: StreamService,
    private readonly metrics: GatewayMetrics,
  ) {}

  @Get(':channelId')
  @Access('stream', { queryToken: true, signed: true })
  @PlayerSecurity()
  @ApiOperation({
    summary: 'Live MPEG-TS of a channel',
    description:
      'Opens (or joins) a live session on the transcoder service. Until a transcoder runs, this answers 503 ' +
      'UNAVAILABLE immediately.',
  })
  @ApiOkResponse({ content: { 'video/mp2t': { schema: { type: 'string', format: 'binary' } } } })
  @ApiErrors(400, 401, 403, 404, 429, 503, 504)
  async stream(
    @Param() params: StreamParams,
    @Query() query: StreamQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const opened = await this.streams.open(params.channelId, query.profile ?? 'copy', requestIdOf(request));
    relayStream(request, reply, opened, this.metrics.httpDuration);
  }
}
