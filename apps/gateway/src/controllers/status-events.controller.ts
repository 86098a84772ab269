import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access-policy.js';
import { sendEventStream } from '../http/event-stream.js';
import { ApiClientSecurity, ApiErrors } from '../http/openapi-decorators.js';
import { requestIdOf } from '../http/request-context.js';
import { StatusEventsService } from '../services/status-events.service.js';

/** `/api/v1/status/events`: what the status page shows, pushed as it changes (admin). */
@ApiTags('api')
@ApiClientSecurity()
@Controller('api/v1/status/events')
export class StatusEventsController {
  constructor(private readonly events: StatusEventsService) {}

  @Get()
  @Access('admin')
  @ApiOperation({
    summary: 'Server-sent events of the status page',
    description:
      '`status`, `sessions`, `nodes` and `jobs` (the 20 newest): each the document its REST route answers, sent ' +
      'at once and again whenever it changes (checked every 2 s).',
  })
  @ApiOkResponse({
    content: {
      'text/event-stream': {
        schema: {
          type: 'object',
          description: 'One event: `data` is the JSON document named by `event`',
          properties: {
            id: { type: 'string' },
            event: { type: 'string', enum: ['status', 'sessions', 'nodes', 'jobs'] },
            data: { type: 'string' },
          },
        },
      },
    },
  })
  @ApiErrors(401, 403, 429, 503)
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    sendEventStream(request, reply, this.events.stream(requestIdOf(request)));
  }
}
