import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { Access } from '../auth/access-policy.js';
import { JobCreateDto, JobDto, JobIdParam, JobListQuery, JobPageDto } from '../dto/job.dto.js';
import { sendEventStream } from '../http/event-stream.js';
import { ApiClientSecurity, ApiErrors } from '../http/openapi-decorators.js';
import { JobEventsService } from '../services/job-events.service.js';
import { JobsService } from '../services/jobs.service.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** `/api/v1/jobs`: transcode jobs (recordings made browser-ready), their progress and cancellation. */
@ApiTags('jobs')
@ApiClientSecurity()
@Controller('api/v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly events: JobEventsService,
  ) {}

  @Post()
  @Access('stream')
  @ApiOperation({
    summary: 'Submits a job',
    description:
      'With an `Idempotency-Key` header, a repeated request (same token, same key, same body) answers the job the ' +
      'first one made (200) instead of making another; the same key with another body is 422.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1–200 visible ASCII characters' })
  @ApiCreatedResponse({ type: JobDto, description: 'Queued' })
  @ApiOkResponse({ type: JobDto, description: 'The job an earlier request with this Idempotency-Key made' })
  @ApiErrors(400, 401, 403, 404, 422, 429, 503)
  async submit(
    @Body() body: JobCreateDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new E2gateError(ErrorCode.ValidationFailed, 'Idempotency-Key: 1–200 visible ASCII characters');
    }
    const outcome = await this.jobs.submit(body, request.principal, idempotencyKey);
    void reply.status(outcome.created ? 201 : 200).header('location', `/api/v1/jobs/${outcome.job.id}`);
    return outcome.job;
  }

  @Get()
  @Access('stream')
  @ApiOperation({ summary: 'Jobs, newest first, filtered by state, kind or node' })
  @ApiOkResponse({ type: JobPageDto })
  @ApiErrors(400, 401, 403, 429)
  list(@Query() query: JobListQuery): JobPageDto {
    return this.jobs.list(query);
  }

  @Get(':id')
  @Access('stream')
  @ApiOperation({
    summary: 'One job: state, attempt, node, progress, failure, result with its download link',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  one(@Param() params: JobIdParam): Promise<JobDto> {
    return this.jobs.one(params.id);
  }

  @Get(':id/events')
  @Access('stream')
  @ApiOperation({
    summary: 'Server-sent events of a job',
    description:
      '`job` (the record, first and last), `transition` (every state change since creation: from, to, attempt, ' +
      'node, reason), `progress` (about once a second while it runs). Ends after a final state.',
  })
  @ApiOkResponse({
    content: {
      'text/event-stream': {
        schema: {
          type: 'object',
          description: 'One event: `data` is the JSON of a job, a transition or a progress report',
          properties: {
            id: { type: 'string' },
            event: { type: 'string', enum: ['job', 'transition', 'progress'] },
            data: { type: 'string' },
          },
        },
      },
    },
  })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async stream(@Param() params: JobIdParam, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    sendEventStream(request, reply, await this.events.stream(params.id));
  }

  @Delete(':id')
  @HttpCode(202)
  @Access('stream')
  @ApiOperation({
    summary: 'Cancels a job',
    description:
      'A waiting job ends at once (`canceled`); a running one is stopped (`cancel_requested`, then `canceled`).',
  })
  @ApiAcceptedResponse({ type: JobDto })
  @ApiErrors(400, 401, 403, 404, 409, 429, 503)
  cancel(@Param() params: JobIdParam, @Req() request: FastifyRequest): Promise<JobDto> {
    return this.jobs.cancel(params.id, request.principal);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @Access('stream')
  @ApiOperation({ summary: 'Queues a failed job again (a new attempt, with a fresh attempt budget)' })
  @ApiAcceptedResponse({ type: JobDto })
  @ApiErrors(400, 401, 403, 404, 409, 429, 503)
  retry(@Param() params: JobIdParam): Promise<JobDto> {
    return this.jobs.retry(params.id);
  }
}
