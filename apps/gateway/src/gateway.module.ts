import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { JobStore, jobStorage, NatsModule, webSessionStorage } from '@e2gate/nats';
import { ClockRepository, instanceName, ObservabilityModule } from '@e2gate/observability';
import { AuthGuard } from './auth/auth.guard.js';
import { FixedWindowThrottlerStorage } from './auth/fixed-window-storage.js';
import { GatewayThrottlerGuard, Throttler } from './auth/gateway-throttler.guard.js';
import { ArtifactsController } from './controllers/artifacts.controller.js';
import { CatalogApiController } from './controllers/catalog-api.controller.js';
import { JobsController } from './controllers/jobs.controller.js';
import { RecordingsController } from './controllers/recordings.controller.js';
import { SessionsController } from './controllers/sessions.controller.js';
import { HdhomerunController, HdhomerunKeyedController } from './controllers/hdhomerun.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { HlsController } from './controllers/hls.controller.js';
import { PiconsController } from './controllers/picons.controller.js';
import { PlaylistController } from './controllers/playlist.controller.js';
import { StreamController } from './controllers/stream.controller.js';
import { StatusEventsController } from './controllers/status-events.controller.js';
import { WebSessionController } from './controllers/web-session.controller.js';
import { GatewayMetrics, gatewayMetricProviders } from './metrics/gateway.metrics.js';
import { JobApiMetrics, jobApiMetricProviders } from './metrics/job-api.metrics.js';
import { AnnouncerRepository } from './repositories/announcer.repository.js';
import { ArtifactStoreRepository } from './repositories/artifact-store.repository.js';
import { JobEventsRepository } from './repositories/job-events.repository.js';
import { CatalogClientRepository } from './repositories/catalog-client.repository.js';
import { CatalogSnapshotRepository } from './repositories/catalog-snapshot.repository.js';
import { HlsStoreRepository } from './repositories/hls-store.repository.js';
import { MetricsPortRepository } from './repositories/metrics-port.repository.js';
import { NetworkRepository } from './repositories/network.repository.js';
import { PiconStoreRepository } from './repositories/picon-store.repository.js';
import { SecretsRepository } from './repositories/secrets.repository.js';
import { TranscoderRepository } from './repositories/transcoder.repository.js';
import { UdpSocketRepository } from './repositories/udp-socket.repository.js';
import { WebSessionStoreRepository } from './repositories/web-session-store.repository.js';
import { AdvertisedUrlService } from './services/advertised-url.service.js';
import { ArtifactsService } from './services/artifacts.service.js';
import { JobEventsService } from './services/job-events.service.js';
import { JobViewService } from './services/job-view.service.js';
import { JobsService } from './services/jobs.service.js';
import { CatalogApiService } from './services/catalog-api.service.js';
import { RecordingsService } from './services/recordings.service.js';
import { CredentialsService } from './services/credentials.service.js';
import { DiscoveryResponderService } from './services/discovery-responder.service.js';
import { DocumentsService } from './services/documents.service.js';
import { HdhomerunHttpService } from './services/hdhomerun-http.service.js';
import { HdhomerunService } from './services/hdhomerun.service.js';
import { MetricsWiringService } from './services/metrics-wiring.service.js';
import { PiconsService } from './services/picons.service.js';
import { SnapshotFollowerService } from './services/snapshot-follower.service.js';
import { SsdpResponderService } from './services/ssdp-responder.service.js';
import { StatusService } from './services/status.service.js';
import { SessionsService } from './services/sessions.service.js';
import { StreamService } from './services/stream.service.js';
import { HlsService } from './services/hls.service.js';
import { StatusEventsService } from './services/status-events.service.js';
import { WebSessionsService } from './services/web-sessions.service.js';
import { LiveSettings, reloadableOf } from './services/live-settings.js';
import { AdminSettingsController } from './controllers/admin-settings.controller.js';
import { SettingsFileRepository } from './repositories/settings-file.repository.js';
import { SettingsReloadService } from './services/settings-reload.service.js';

export interface GatewayModuleOptions {
  /** Replaces the wall clock (tests). */
  clock?: ClockRepository;
  /** Where JSON log lines go (tests capture them); default stdout. */
  logDestination?: NodeJS.WritableStream;
  /** Replaces the terminal announcer (tests capture the one-time admin token banner). */
  announcer?: AnnouncerRepository;
}

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, options: GatewayModuleOptions = {}): DynamicModule {
    const live = new LiveSettings(reloadableOf(config));
    return {
      module: GatewayModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'gateway',
          level: config.logLevel,
          shutdownBudgetMs: config.shutdownBudgetMs,
          ...(options.logDestination ? { destination: options.logDestination } : {}),
        }),
        // Of the buckets it reads, the catalog and the transcoders provision theirs; jobs are written here too.
        NatsModule.forRoot({
          link: config,
          role: 'gateway',
          name: instanceName('gateway'),
          storage: [
            ...jobStorage({
              retentionMs: config.jobs.retentionMs,
              artifactMaxBytes: config.jobs.artifactMaxBytes,
              queueMaxMessages: 3 * config.jobs.queueMaxPerClass,
            }),
            ...webSessionStorage({ ttlMs: config.web.sessionTtlMs, maxSessions: config.web.maxSessions }),
          ],
        }),
        ThrottlerModule.forRoot({
          storage: new FixedWindowThrottlerStorage(),
          // Read at every request: a settings reload changes them at once.
          throttlers: [
            {
              name: Throttler.Api,
              ttl: () => live.current.limits.api.windowMs,
              limit: () => live.current.limits.api.limit,
            },
            {
              name: Throttler.Refresh,
              ttl: () => live.current.limits.refresh.windowMs,
              limit: () => live.current.limits.refresh.limit,
            },
          ],
        }),
      ],
      controllers: [
        HealthController,
        PlaylistController,
        CatalogApiController,
        RecordingsController,
        PiconsController,
        StreamController,
        HlsController,
        SessionsController,
        JobsController,
        ArtifactsController,
        WebSessionController,
        StatusEventsController,
        AdminSettingsController,
        HdhomerunController,
        HdhomerunKeyedController,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LiveSettings, useValue: live },
        { provide: APP_GUARD, useClass: GatewayThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        ...gatewayMetricProviders,
        GatewayMetrics,
        ...jobApiMetricProviders,
        JobApiMetrics,
        override(ClockRepository, options.clock),
        override(AnnouncerRepository, options.announcer),
        SecretsRepository,
        SettingsFileRepository,
        SettingsReloadService,
        CatalogSnapshotRepository,
        CatalogClientRepository,
        PiconStoreRepository,
        TranscoderRepository,
        HlsStoreRepository,
        UdpSocketRepository,
        NetworkRepository,
        MetricsPortRepository,
        CredentialsService,
        SnapshotFollowerService,
        DocumentsService,
        CatalogApiService,
        RecordingsService,
        StatusService,
        PiconsService,
        StreamService,
        HlsService,
        SessionsService,
        JobStore,
        JobEventsRepository,
        ArtifactStoreRepository,
        JobViewService,
        JobsService,
        JobEventsService,
        ArtifactsService,
        WebSessionStoreRepository,
        WebSessionsService,
        StatusEventsService,
        HdhomerunService,
        HdhomerunHttpService,
        AdvertisedUrlService,
        DiscoveryResponderService,
        SsdpResponderService,
        MetricsWiringService,
      ],
    };
  }
}

function override<T>(token: abstract new (...args: never[]) => T, instance: T | undefined): Provider {
  return instance === undefined ? (token as unknown as Provider) : { provide: token, useValue: instance };
}
