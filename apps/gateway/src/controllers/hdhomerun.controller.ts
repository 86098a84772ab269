import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { Access } from '../auth/access-policy.js';
import { hasScope, type Principal } from '../auth/principal.js';
import { DiscoverDto, LineupEntryDto, LineupStatusDto } from '../dto/hdhomerun.dto.js';
import { LineupPostQuery } from '../dto/query.dto.js';
import { deviceXml, discoverDocument, lineupStatusDocument } from '../hdhomerun/hdhomerun-documents.js';
import { baseUrlOf } from '../http/base-url.js';
import { sendRendered } from '../http/conditional.js';
import { ApiErrors, PlayerSecurity } from '../http/openapi-decorators.js';
import { CredentialsService } from '../services/credentials.service.js';
import { DocumentsService } from '../services/documents.service.js';
import { HdhomerunService } from '../services/hdhomerun.service.js';

const HDHR_ACCESS = Access('read', { queryToken: true, deviceKey: true });

/**
 * HDHomeRun tuner emulation (reference/hdhomerun.md §2) for Plex and Jellyfin. Every route also exists under
 * `/hdhr/<device key>/` (HdhomerunKeyedController), so a client that keeps only a base URL and can send no header
 * stays authenticated.
 */
@ApiTags('hdhomerun')
@PlayerSecurity(false)
@Controller()
export class HdhomerunController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly hdhomerun: HdhomerunService,
    private readonly documents: DocumentsService,
    private readonly credentials: CredentialsService,
  ) {}

  @Get('discover.json')
  @HDHR_ACCESS
  @ApiOperation({ summary: 'HDHomeRun device description' })
  @ApiOkResponse({ type: DiscoverDto })
  @ApiErrors(400, 401, 403, 429)
  discover(@Req() request: FastifyRequest) {
    return discoverDocument(this.hdhomerun.device(), this.deviceBase(request));
  }

  @Get('lineup.json')
  @HDHR_ACCESS
  @ApiOperation({ summary: 'Channel lineup (GuideNumber = channel number)' })
  @ApiOkResponse({ type: [LineupEntryDto] })
  @ApiErrors(400, 401, 403, 429, 503)
  async lineup(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const rendered = await this.documents.lineup({
      baseUrl: baseUrlOf(this.config, request),
      signStreams: hasScope(request.principal, 'stream'),
    });
    return sendRendered(request, reply, rendered);
  }

  @Get('lineup_status.json')
  @HDHR_ACCESS
  @ApiOperation({ summary: 'Scan status (scans complete instantly)' })
  @ApiOkResponse({ type: LineupStatusDto })
  @ApiErrors(401, 403, 429)
  lineupStatus() {
    return lineupStatusDocument();
  }

  @Post('lineup.post')
  @HttpCode(200)
  @HDHR_ACCESS
  @ApiOperation({ summary: 'Start or abort a channel scan (accepted; nothing to scan)' })
  @ApiOkResponse({ description: 'Empty body' })
  @ApiErrors(400, 401, 403, 429)
  lineupPost(@Query() _query: LineupPostQuery, @Res() reply: FastifyReply) {
    return reply.code(200).send();
  }

  @Get('lineup.post')
  @HDHR_ACCESS
  @ApiOperation({ summary: 'Same as POST (some clients use GET)' })
  @ApiOkResponse({ description: 'Empty body' })
  @ApiErrors(400, 401, 403, 429)
  lineupPostGet(@Query() _query: LineupPostQuery, @Res() reply: FastifyReply) {
    return reply.code(200).send();
  }

  @Get('device.xml')
  @HDHR_ACCESS
  @ApiOperation({ summary: 'UPnP device description' })
  @ApiProduces('application/xml')
  @ApiOkResponse({ schema: { type: 'string' } })
  @ApiErrors(401, 403, 429)
  device(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const xml = deviceXml(this.hdhomerun.device(), this.deviceBase(request));
    return reply.header('content-type', 'application/xml; charset=utf-8').send(xml);
  }

  /** BaseURL carries the device key for callers that may stream (so clients keep access without headers). */
  private deviceBase(request: FastifyRequest): string {
    const base = baseUrlOf(this.config, request);
    return carriesKey(request.principal) ? `${base}/hdhr/${this.credentials.signer.deviceKey()}` : base;
  }
}

function carriesKey(principal: Principal | undefined): boolean {
  if (!principal || principal.kind === 'anonymous' || principal.kind === 'signed-url') return false;
  return hasScope(principal, 'stream');
}

/** The same routes under `/hdhr/<device key>/`: the key is the credential. */
@ApiTags('hdhomerun')
@ApiParam({
  name: 'key',
  description: 'Device key: the last path segment of BaseURL in an authenticated /discover.json',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{32}$' },
})
@Controller('hdhr/:key')
export class HdhomerunKeyedController extends HdhomerunController {}
