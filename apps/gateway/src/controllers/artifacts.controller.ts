import { Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPartialContentResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access-policy.js';
import { ArtifactDto, ArtifactIdParam, ArtifactUploadQuery } from '../dto/job.dto.js';
import { ApiClientSecurity, ApiErrors, SignedSecurity } from '../http/openapi-decorators.js';
import { ArtifactsService } from '../services/artifacts.service.js';

/** `/api/v1/artifacts/<id>`: job outputs, playable straight from the URL (signed links need no header). */
@ApiTags('jobs')
@Controller('api/v1/artifacts')
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get(':id')
  @Access('stream', { signed: true })
  @SignedSecurity()
  @ApiOperation({
    summary: "Downloads a job's output",
    description:
      'Single `Range` requests are answered with 206 (a `<video>` element seeks with them). The job answer carries ' +
      'a signed link (`?exp=…&sig=…`) that works without an `Authorization` header.',
  })
  @ApiOkResponse({ content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } } })
  @ApiPartialContentResponse({ description: 'The requested range' })
  @ApiErrors(400, 401, 403, 404, 416, 429, 503)
  async download(
    @Param() params: ArtifactIdParam,
    @Headers('range') range: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const download = await this.artifacts.download(params.id, range);
    await reply.status(download.status).headers(download.headers).send(download.body);
  }

  @Post()
  @Access('stream')
  @ApiClientSecurity()
  @ApiOperation({
    summary: 'Uploads a transport stream for a remux job',
    description:
      'The body is the file (`Content-Type: video/mp2t`), streamed into the artefact store; a `remux` job then ' +
      'names it as `sourceArtifactId`. At most `E2GATE_UPLOAD_MAX_BYTES`.',
  })
  @ApiConsumes('video/mp2t')
  @ApiBody({ required: true, schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: ArtifactDto })
  @ApiErrors(400, 401, 403, 413, 415, 429, 503)
  upload(
    @Query() query: ArtifactUploadQuery,
    @Req() request: FastifyRequest,
    @Headers('content-type') contentType: string | undefined,
    @Headers('content-length') contentLength: string | undefined,
  ): Promise<ArtifactDto> {
    return this.artifacts.upload(request.body, { contentType, contentLength }, query.name);
  }
}
