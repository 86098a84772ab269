import { applyDecorators, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access-policy.js';
import { DiscoverDto, LineupEntryDto, LineupStatusDto } from '../dto/hdhomerun.dto.js';
import { DeviceKeyParam, LineupPostQuery } from '../dto/query.dto.js';
import { ApiErrors, PlayerSecurity } from '../http/openapi-decorators.js';
import { HdhomerunHttpService } from '../services/hdhomerun-http.service.js';

/**
 * Who may call the HDHomeRun routes: at the plain paths Bearer, `?token=` or a signed URL (`?sig=`, scope read, the
 * same scheme as the other signed routes); under `/hdhr/<key>/` the device key in the path (see ADR 0021).
 */
type Form = 'plain' | 'keyed';
const HDHR = (form: Form) =>
  form === 'plain'
    ? Access('read', { queryToken: true, signed: true })
    : Access('read', { queryToken: true, deviceKey: true });

const Route = {
  discover: (form: Form) =>
    applyDecorators(
      Get('discover.json'),
      HDHR(form),
      ApiOperation({ summary: 'HDHomeRun device description' }),
      ApiOkResponse({ type: DiscoverDto }),
      ApiErrors(400, 401, 403, 429),
    ),
  lineup: (form: Form) =>
    applyDecorators(
      Get('lineup.json'),
      HDHR(form),
      ApiOperation({ summary: 'Channel lineup (GuideNumber = channel number)' }),
      ApiOkResponse({ type: [LineupEntryDto], headers: { ETag: { schema: { type: 'string' } } } }),
      ApiResponse({ status: 304, description: 'Not modified (If-None-Match)' }),
      ApiErrors(400, 401, 403, 429, 503),
    ),
  lineupStatus: (form: Form) =>
    applyDecorators(
      Get('lineup_status.json'),
      HDHR(form),
      ApiOperation({ summary: 'Scan status (scans complete instantly)' }),
      ApiOkResponse({ type: LineupStatusDto }),
      ApiErrors(400, 401, 403, 429),
    ),
  lineupPost: (form: Form, method: typeof Get | typeof Post) =>
    applyDecorators(
      method('lineup.post'),
      HttpCode(200),
      HDHR(form),
      ApiOperation({ summary: 'Start or abort a channel scan (accepted; there is nothing to scan)' }),
      ApiOkResponse({ description: 'Empty body' }),
      ApiErrors(400, 401, 403, 429),
    ),
  device: (form: Form) =>
    applyDecorators(
      Get('device.xml'),
      HDHR(form),
      ApiOperation({ summary: 'UPnP device description' }),
      ApiOkResponse({ content: { 'application/xml': { schema: { type: 'string' } } } }),
      ApiErrors(400, 401, 403, 429),
    ),
};

/** HDHomeRun tuner emulation (reference/hdhomerun.md §2) for Plex and Jellyfin. */
@ApiTags('hdhomerun')
@PlayerSecurity()
@Controller()
export class HdhomerunController {
  constructor(private readonly http: HdhomerunHttpService) {}

  @Route.discover('plain')
  discover(@Req() request: FastifyRequest) {
    return this.http.discover(request);
  }

  @Route.lineup('plain')
  lineup(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.http.lineup(request, reply);
  }

  @Route.lineupStatus('plain')
  lineupStatus() {
    return this.http.lineupStatus();
  }

  @Route.lineupPost('plain', Post)
  lineupPost(@Query() _query: LineupPostQuery, @Res() reply: FastifyReply) {
    return reply.code(200).send();
  }

  @Route.lineupPost('plain', Get)
  lineupPostByGet(@Query() _query: LineupPostQuery, @Res() reply: FastifyReply) {
    return reply.code(200).send();
  }

  @Route.device('plain')
  device(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.http.device(request, reply);
  }
}

/**
 * The same routes under `/hdhr/<device key>/`: the key in the path is the credential, so a client that keeps only
 * a base URL and can send no header (Jellyfin's tuner URL) stays authenticated.
 */
@ApiTags('hdhomerun')
@PlayerSecurity(false)
@Controller('hdhr/:key')
export class HdhomerunKeyedController {
  constructor(private readonly http: HdhomerunHttpService) {}

  @Route.discover('keyed')
  discover(@Param() _key: DeviceKeyParam, @Req() request: FastifyRequest) {
    return this.http.discover(request);
  }

  @Route.lineup('keyed')
  lineup(@Param() _key: DeviceKeyParam, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.http.lineup(request, reply);
  }

  @Route.lineupStatus('keyed')
  lineupStatus(@Param() _key: DeviceKeyParam) {
    return this.http.lineupStatus();
  }

  @Route.lineupPost('keyed', Post)
  lineupPost(@Param() _key: DeviceKeyParam, @Query() _query: LineupPostQuery, @Res() reply: FastifyReply) {
    return reply.code(200).send();
  }

  @Route.lineupPost('keyed', Get)
  lineupPostByGet(
    @Param() _key: DeviceKeyParam,
    @Query() _query: LineupPostQuery,
    @Res() reply: FastifyReply,
  ) {
    return reply.code(200).send();
  }

  @Route.device('keyed')
  device(@Param() _key: DeviceKeyParam, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.http.device(request, reply);
  }
}
