import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HttpEdgeErrorCode } from '@e2gate/contracts';
import { currentLogLevel, setLogLevel } from '@e2gate/observability';
import { Access } from '../auth/access-policy.js';
import { LogLevelDto, SettingsReloadedDto } from '../dto/admin-settings.dto.js';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import { ApiClientSecurity, ApiErrors } from '../http/openapi-decorators.js';
import { SettingsReloadService } from '../services/settings-reload.service.js';

/** `/api/v1/admin/*`: settings reload and the log level, without a restart (admin). */
@ApiTags('api')
@ApiClientSecurity()
@Controller('api/v1/admin')
export class AdminSettingsController {
  constructor(private readonly settings: SettingsReloadService) {}

  @Post('reload')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({
    summary:
      'Reloads tokens, rate limits, URL signing and the log level from E2GATE_SETTINGS_FILE (as SIGHUP does); ' +
      'a file that does not validate is refused with 422 SETTINGS_INVALID and the running settings stay',
  })
  @ApiOkResponse({ type: SettingsReloadedDto })
  @ApiErrors(401, 403, 422, 429)
  async reload(): Promise<SettingsReloadedDto> {
    const outcome = await this.settings.reload('api');
    if (!outcome.ok) {
      throw new GatewayHttpError(
        HttpEdgeErrorCode.SettingsInvalid,
        'the settings file does not validate; the running settings stay',
        {},
        { problems: outcome.problems },
      );
    }
    return { changed: outcome.changed };
  }

  @Get('log-level')
  @Access('admin')
  @ApiOperation({ summary: "This replica's log level" })
  @ApiOkResponse({ type: LogLevelDto })
  @ApiErrors(401, 403, 429)
  logLevel(): LogLevelDto {
    return { level: currentLogLevel() as LogLevelDto['level'] };
  }

  @Put('log-level')
  @Access('admin')
  @ApiOperation({
    summary:
      "Changes this replica's log level at once, until the next reload or restart (for a look at debug logs)",
  })
  @ApiBody({ type: LogLevelDto })
  @ApiOkResponse({ type: LogLevelDto })
  @ApiErrors(400, 401, 403, 415, 429)
  setLogLevel(@Body() body: LogLevelDto): LogLevelDto {
    setLogLevel(body.level);
    return { level: body.level };
  }
}
