import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type CatalogConfig } from '@e2gate/config';
import { catalogStorage, NatsModule } from '@e2gate/nats';
import { ClockRepository, HangupNotice, instanceName, ObservabilityModule } from '@e2gate/observability';
import { HealthController } from './controllers/health.controller.js';
import { CatalogCommandsHandler } from './handlers/catalog-commands.handler.js';
import { CatalogEventsHandler } from './handlers/catalog-events.handler.js';
import { CatalogQueriesHandler } from './handlers/catalog-queries.handler.js';
import { CatalogMetrics, catalogMetricProviders } from './metrics/catalog.metrics.js';
import { CatalogEventsRepository } from './repositories/catalog-events.repository.js';
import { PiconStoreRepository } from './repositories/picon-store.repository.js';
import { ReceiverRepository } from './repositories/receiver.repository.js';
import { RefreshLockRepository } from './repositories/refresh-lock.repository.js';
import { SnapshotStoreRepository } from './repositories/snapshot-store.repository.js';
import { CatalogQueryService } from './services/catalog-query.service.js';
import { CatalogStateService } from './services/catalog-state.service.js';
import { PiconService } from './services/picon.service.js';
import { RecordingsReader } from './services/recordings-reader.service.js';
import { RefreshCoordinator } from './services/refresh-coordinator.service.js';
import { RefreshLeaseService } from './services/refresh-lease.service.js';
import { RefreshRunner } from './services/refresh-runner.service.js';
import { RefreshService } from './services/refresh.service.js';
import { SnapshotPublisher } from './services/snapshot-publisher.service.js';

export interface CatalogModuleOverrides {
  /** A frozen or shifted clock (tests). */
  clock?: ClockRepository;
}

@Module({})
export class CatalogModule {
  static forRoot(config: CatalogConfig, overrides: CatalogModuleOverrides = {}): DynamicModule {
    return {
      module: CatalogModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'catalog',
          level: config.logLevel,
          shutdownBudgetMs: config.shutdownBudgetMs,
        }),
        NatsModule.forRoot({
          link: config,
          role: 'catalog',
          name: instanceName('catalog'),
          storage: catalogStorage({ refreshLeaseMs: config.refreshLeaseMs }),
        }),
      ],
      controllers: [HealthController, CatalogQueriesHandler, CatalogCommandsHandler, CatalogEventsHandler],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: HangupNotice, useFactory: () => new HangupNotice('catalog') },
        ...catalogMetricProviders,
        CatalogMetrics,
        overrides.clock ? { provide: ClockRepository, useValue: overrides.clock } : ClockRepository,
        ReceiverRepository,
        SnapshotStoreRepository,
        PiconStoreRepository,
        RefreshLockRepository,
        CatalogEventsRepository,
        CatalogStateService,
        CatalogQueryService,
        RefreshService,
        PiconService,
        RecordingsReader,
        RefreshLeaseService,
        SnapshotPublisher,
        RefreshRunner,
        RefreshCoordinator,
      ],
    };
  }
}
