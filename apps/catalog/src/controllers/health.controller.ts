import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { NatsHealthIndicator } from '@e2gate/observability';
import { CatalogQueryService } from '../services/catalog-query.service.js';
import { SnapshotPublisher } from '../services/snapshot-publisher.service.js';

/** Liveness and readiness for orchestrators. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly nats: NatsHealthIndicator,
    private readonly queries: CatalogQueryService,
    private readonly publisher: SnapshotPublisher,
  ) {}

  @Get('healthz')
  liveness() {
    return { status: 'ok' };
  }

  /** Ready when NATS is connected and a snapshot is served; a stale or degraded snapshot is `degraded`, not fatal. */
  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.nats.isConnected(),
      () => {
        const indicator = this.indicators.check('snapshot');
        const meta = this.queries.meta();
        if (!meta.present) return indicator.down({ message: 'no snapshot yet', refreshing: meta.refreshing });
        const details = {
          version: meta.version,
          ageSeconds: meta.ageSeconds,
          stale: meta.stale,
          ...(meta.lastError ? { lastError: meta.lastError.code } : {}),
        };
        const reasons = [
          ...(meta.stale ? [`last refresh failed: ${meta.lastError?.code ?? '?'}`] : []),
          ...(meta.degraded ?? []),
          ...(this.publisher.publicationPending ? ['NATS does not hold the served snapshot yet'] : []),
        ];
        return reasons.length === 0
          ? indicator.up(details)
          : indicator.degraded({ ...details, reason: reasons.join('; ') });
      },
    ]);
  }
}
