import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { NatsHealthIndicator } from '@e2gate/observability';
import { SessionManagerService } from '../services/session-manager.service.js';

/** Liveness and readiness for orchestrators (the transcoder serves no end users: health and metrics only). */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly nats: NatsHealthIndicator,
    private readonly sessions: SessionManagerService,
  ) {}

  @Get('healthz')
  liveness() {
    return { status: 'ok' };
  }

  /** Ready when NATS is connected; the sessions this node runs are reported. */
  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.nats.isConnected(),
      () => this.indicators.check('sessions').up({ running: this.sessions.sessionCount }),
    ]);
  }
}
