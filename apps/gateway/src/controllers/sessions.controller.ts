import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access-policy.js';
import { NodeListDto, SessionIdParam, SessionListDto } from '../dto/session.dto.js';
import { ApiClientSecurity, ApiErrors } from '../http/openapi-decorators.js';
import { SessionsService } from '../services/sessions.service.js';

/** `/api/v1/sessions`, `/api/v1/nodes`: live sessions and transcoder nodes (admin). */
@ApiTags('api')
@ApiClientSecurity()
@Controller('api/v1')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('sessions')
  @Access('admin')
  @ApiOperation({
    summary: 'Live sessions: channel, profile, node, viewers, bitrate, uptime, reconnects, warnings',
  })
  @ApiOkResponse({ type: SessionListDto })
  @ApiErrors(401, 403, 429, 503)
  list() {
    return this.sessions.list();
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Stops a live session for every viewer (its receiver stream is released)' })
  @ApiNoContentResponse({ description: 'Stopping' })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async stop(@Param() params: SessionIdParam) {
    await this.sessions.stop(params.id);
  }

  @Get('nodes')
  @Access('admin')
  @ApiOperation({ summary: 'Transcoder nodes: versions, cores, capacity, sessions, load, encoders' })
  @ApiOkResponse({ type: NodeListDto })
  @ApiErrors(401, 403, 429, 503)
  nodes() {
    return this.sessions.nodes();
  }
}
