import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access-policy.js';
import { RecordingDetailDto, RecordingPageDto } from '../dto/catalog-responses.dto.js';
import { RecordingIdParam, RecordingsQuery } from '../dto/query.dto.js';
import { ApiClientSecurity, ApiErrors } from '../http/openapi-decorators.js';
import { RecordingsService } from '../services/recordings.service.js';

/** `/api/v1/recordings`: what the receiver has recorded, as the catalog last read it. */
@ApiTags('api')
@ApiClientSecurity()
@Controller('api/v1/recordings')
export class RecordingsController {
  constructor(private readonly recordings: RecordingsService) {}

  @Get()
  @Access('read')
  @ApiOperation({ summary: "The receiver's recordings, newest first, paged, optionally of one channel" })
  @ApiOkResponse({ type: RecordingPageDto })
  @ApiErrors(400, 401, 403, 429, 503)
  list(@Query() query: RecordingsQuery) {
    return this.recordings.list(query);
  }

  @Get(':id')
  @Access('read')
  @ApiOperation({ summary: 'One recording' })
  @ApiOkResponse({ type: RecordingDetailDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  one(@Param() params: RecordingIdParam) {
    return this.recordings.one(params.id);
  }
}
