import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { NatsHealthIndicator } from '@e2gate/observability';
import { CatalogQueryService } from '../services/catalog-query.service.js';

/** Liveness and readiness for orchestrators. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly nats: NatsHealthIndicator,
    private readonly queries: CatalogQueryService,
  ) {}

  @Get('healthz')
  liveness() {
    return { status: 'ok' };
  }

  /** Ready when NATS is connected and a snapshot is served; a stale snapshot is reported, not fatal. */
  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.nats.isConnected(),
      () => {
        const indicator = this.indicators.check('snapshot');
        const meta = this.queries.meta();
        if (!meta.present) return indicator.down({ message: 'no snapshot yet', refreshing: meta.refreshing });
        return indicator.up({
          version: meta.version,
          ageSeconds: meta.ageSeconds,
          stale: meta.stale,
          ...(meta.lastError ? { lastError: meta.lastError.code } : {}),
        });
      },
    ]);
  }
}
