import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type TranscoderConfig } from '@e2gate/config';
import { JobStore, jobStorage, NatsModule, transcoderStorage } from '@e2gate/nats';
import { ClockRepository, HangupNotice, instanceName, ObservabilityModule } from '@e2gate/observability';
import { HealthController } from './controllers/health.controller.js';
import { SessionCommandsHandler } from './handlers/session-commands.handler.js';
import { JobMetrics, jobMetricProviders } from './metrics/job.metrics.js';
import { TranscoderMetrics, transcoderMetricProviders } from './metrics/transcoder.metrics.js';
import { ArtifactStoreRepository } from './repositories/artifact-store.repository.js';
import { JobQueueRepository } from './repositories/job-queue.repository.js';
import { JobWorkerService } from './services/job-worker.service.js';
import { MediaFileRunner } from './services/media-file-runner.js';
import { CatalogChannelsRepository } from './repositories/catalog-channels.repository.js';
import { EngineRepository } from './repositories/engine.repository.js';
import { HlsStoreRepository } from './repositories/hls-store.repository.js';
import { NodeInboxRepository } from './repositories/node-inbox.repository.js';
import { NodeStoreRepository } from './repositories/node-store.repository.js';
import { ReceiverRepository } from './repositories/receiver.repository.js';
import { SessionEventsRepository } from './repositories/session-events.repository.js';
import { SessionStoreRepository } from './repositories/session-store.repository.js';
import { StreamPublisherRepository } from './repositories/stream-publisher.repository.js';
import { RecordingFileRepository } from './repositories/recording-file.repository.js';
import { UpstreamRepository } from './repositories/upstream.repository.js';
import { NodeRegistryService } from './services/node-registry.service.js';
import { SessionManagerService } from './services/session-manager.service.js';
import { TunerAdmissionService } from './services/tuner-admission.service.js';

export interface TranscoderModuleOverrides {
  /** A frozen or shifted clock (tests). */
  clock?: ClockRepository;
}

@Module({})
export class TranscoderModule {
  static forRoot(config: TranscoderConfig, overrides: TranscoderModuleOverrides = {}): DynamicModule {
    return {
      module: TranscoderModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'transcoder',
          level: config.logLevel,
          shutdownBudgetMs: config.shutdownBudgetMs,
        }),
        NatsModule.forRoot({
          link: config,
          role: 'transcoder',
          name: instanceName('transcoder'),
          storage: [
            ...transcoderStorage({
              heartbeatMs: config.heartbeatMs,
              // Segments outlive the window a little: a player that just read the playlist can still fetch them.
              hls: { ttlMs: config.hls.timeshiftMs + 60_000, maxBytes: config.hls.storeMaxBytes },
            }),
            ...jobStorage({
              retentionMs: config.jobs.retentionMs,
              artifactMaxBytes: config.jobs.artifactMaxBytes,
              queueMaxMessages: 3 * config.jobs.queueMaxPerClass,
            }),
          ],
        }),
      ],
      controllers: [HealthController, SessionCommandsHandler],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: HangupNotice, useFactory: () => new HangupNotice('transcoder') },
        ...transcoderMetricProviders,
        TranscoderMetrics,
        ...jobMetricProviders,
        JobMetrics,
        overrides.clock ? { provide: ClockRepository, useValue: overrides.clock } : ClockRepository,
        EngineRepository,
        ReceiverRepository,
        UpstreamRepository,
        RecordingFileRepository,
        CatalogChannelsRepository,
        SessionStoreRepository,
        NodeStoreRepository,
        NodeInboxRepository,
        StreamPublisherRepository,
        HlsStoreRepository,
        SessionEventsRepository,
        TunerAdmissionService,
        NodeRegistryService,
        SessionManagerService,
        JobStore,
        JobQueueRepository,
        ArtifactStoreRepository,
        MediaFileRunner,
        JobWorkerService,
      ],
    };
  }
}
