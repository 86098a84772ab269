import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access-policy.js';
import { RefreshLimited } from '../auth/gateway-throttler.guard.js';
import {
  BouquetListDto,
  ChannelDetailDto,
  ChannelPageDto,
  EpgPageDto,
  NowNextDto,
  RefreshAcceptedDto,
  SearchResultDto,
} from '../dto/catalog-responses.dto.js';
import {
  ChannelIdParam,
  ChannelsQuery,
  EpgQuery,
  NowNextQuery,
  RefreshBody,
  SearchQuery,
} from '../dto/query.dto.js';
import { StatusDto } from '../dto/status.dto.js';
import { sendJson } from '../http/conditional.js';
import { ApiClientSecurity, ApiErrors } from '../http/openapi-decorators.js';
import { requestIdOf } from '../http/request-context.js';
import { CatalogApiService } from '../services/catalog-api.service.js';
import { StatusService } from '../services/status.service.js';

/** `/api/v1`: the catalog's queries over NATS, the refresh command and the status page. */
@ApiTags('api')
@ApiClientSecurity()
@Controller('api/v1')
export class CatalogApiController {
  constructor(
    private readonly api: CatalogApiService,
    private readonly statusService: StatusService,
  ) {}

  @Get('bouquets')
  @Access('read')
  @ApiOperation({ summary: 'Bouquets of the catalog, in numbering order' })
  @ApiOkResponse({ type: BouquetListDto })
  @ApiErrors(401, 403, 429, 503, 504)
  bouquets(@Req() request: FastifyRequest) {
    return this.api.bouquets(requestIdOf(request));
  }

  @Get('channels')
  @Access('read')
  @ApiOperation({ summary: 'Channels, paged, optionally of one bouquet' })
  @ApiOkResponse({ type: ChannelPageDto })
  @ApiErrors(400, 401, 403, 404, 429, 503, 504)
  channels(@Query() query: ChannelsQuery, @Req() request: FastifyRequest) {
    return this.api.channels(query, requestIdOf(request));
  }

  @Get('channels/:id')
  @Access('read')
  @ApiOperation({ summary: 'One channel' })
  @ApiOkResponse({ type: ChannelDetailDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  channel(@Param() params: ChannelIdParam) {
    return this.api.channel(params.id);
  }

  @Get('epg')
  @Access('read')
  @ApiOperation({ summary: 'Guide events of up to 100 channels in a time window (at most 14 days), paged' })
  @ApiOkResponse({ type: EpgPageDto })
  @ApiErrors(400, 401, 403, 429, 503, 504)
  epg(@Query() query: EpgQuery, @Req() request: FastifyRequest) {
    return this.api.epg(query, requestIdOf(request));
  }

  @Get('epg/search')
  @Access('read')
  @ApiOperation({ summary: 'Full-text search over titles and descriptions' })
  @ApiOkResponse({ type: SearchResultDto })
  @ApiErrors(400, 401, 403, 429, 503, 504)
  search(@Query() query: SearchQuery, @Req() request: FastifyRequest) {
    return this.api.search(query, requestIdOf(request));
  }

  @Get('epg/now-next')
  @Access('read')
  @ApiOperation({ summary: 'What runs now and next, per channel' })
  @ApiOkResponse({ type: NowNextDto })
  @ApiErrors(400, 401, 403, 429, 503, 504)
  async nowNext(@Query() query: NowNextQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return sendJson(request, reply, await this.api.nowNext(query, requestIdOf(request)));
  }

  @Post('catalog/refresh')
  @HttpCode(202)
  @Access('admin')
  @RefreshLimited()
  @ApiOperation({ summary: 'Refresh the catalog now; joins a refresh that is already running' })
  @ApiBody({ type: RefreshBody, required: false })
  @ApiAcceptedResponse({ type: RefreshAcceptedDto })
  @ApiErrors(400, 401, 403, 413, 415, 429, 503, 504)
  refresh(@Body() body: RefreshBody, @Req() request: FastifyRequest) {
    return this.api.refresh(body.reason, requestIdOf(request));
  }

  @Get('status')
  @Access('read')
  @ApiOperation({
    summary: 'Versions, snapshot age and staleness, receiver breaker, limits, anonymous scopes',
  })
  @ApiOkResponse({ type: StatusDto })
  @ApiErrors(401, 403, 429)
  status(@Req() request: FastifyRequest) {
    return this.statusService.status(requestIdOf(request));
  }
}
