import { Injectable, type OnModuleInit } from '@nestjs/common';
import { NatsConnectionService } from '@e2gate/nats';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { DocumentsService } from './documents.service.js';
import { HlsService } from './hls.service.js';
import { StatusService } from './status.service.js';

/** Points the scrape-time gauges at their sources (snapshot age, staleness, NATS state, render cache, HLS). */
@Injectable()
export class MetricsWiringService implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly status: StatusService,
    private readonly documents: DocumentsService,
    private readonly nats: NatsConnectionService,
    private readonly hls: HlsService,
  ) {}

  onModuleInit(): void {
    this.metrics.readFrom({
      catalogAgeSeconds: () => this.status.freshness().ageSeconds,
      catalogStale: () => this.status.freshness().stale,
      natsState: () => this.nats.state,
      renderCacheBytes: () => this.documents.cacheStats.bytes,
      hlsViewers: () => this.hls.viewerCount(),
      hlsSegmentCacheBytes: () => this.hls.segmentCacheBytes(),
    });
  }
}
