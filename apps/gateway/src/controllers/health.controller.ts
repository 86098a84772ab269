import { Controller, Get, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '@e2gate/contracts';
import { NatsHealthIndicator } from '@e2gate/observability';
import { Public } from '../auth/access-policy.js';
import { HealthDto, ReadinessDto } from '../dto/hdhomerun.dto.js';
import { requestIdOf } from '../http/request-context.js';
import { StatusService } from '../services/status.service.js';

/** Liveness and readiness for orchestrators; never throttled, never authenticated. */
@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly nats: NatsHealthIndicator,
    private readonly status: StatusService,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers', security: [] })
  @ApiOkResponse({ type: HealthDto })
  liveness(): HealthDto {
    return { status: 'ok' };
  }

  /**
   * Ready: NATS connected, JetStream reachable, a snapshot served. A stale or degraded snapshot (EPG loading, a
   * large part of the EPG not read, a published snapshot refused) is `degraded` with the reason (still 200).
   */
  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: NATS, JetStream and a catalog snapshot', security: [] })
  @ApiOkResponse({
    type: ReadinessDto,
    description: 'ok, or degraded when the snapshot is stale or degraded',
  })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'not ready (no snapshot, NATS down)' })
  async readiness(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check([
        () => this.nats.isConnected(),
        () => this.nats.jetStreamReachable(),
        () => this.snapshot(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.code(503);
      const failing = Object.keys((error.getResponse() as { error?: object }).error ?? {});
      return {
        ...(error.getResponse() as object),
        code: ErrorCode.Unavailable,
        message: `not ready: ${failing.join(', ') || 'unknown'}`,
        requestId: requestIdOf(request),
      };
    }
  }

  private snapshot() {
    const indicator = this.indicators.check('snapshot');
    const freshness = this.status.freshness();
    if (!freshness.present) return indicator.down({ message: 'no catalog snapshot yet' });
    const details = { ageSeconds: freshness.ageSeconds, stale: freshness.stale };
    if (!freshness.stale && freshness.degraded.length === 0) return indicator.up(details);
    const reasons = [...(freshness.reason ? [freshness.reason] : []), ...freshness.degraded];
    return indicator.degraded({ ...details, reason: reasons.join('; '), degraded: freshness.degraded });
  }
}
