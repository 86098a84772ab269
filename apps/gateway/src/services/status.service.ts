import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { Subject, type CatalogMetaReply } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';
import { buildInfo, ClockRepository, instanceName } from '@e2gate/observability';
import type { StatusDto } from '../dto/status.dto.js';
import { CatalogClientRepository } from '../repositories/catalog-client.repository.js';
import { CredentialsService } from './credentials.service.js';
import { DiscoveryResponderService } from './discovery-responder.service.js';
import { HdhomerunService } from './hdhomerun.service.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';
import { LiveSettings } from './live-settings.js';

export interface Freshness {
  present: boolean;
  ageSeconds: number | null;
  /** The catalog marks it stale (last refresh failed) or it is older than E2GATE_SNAPSHOT_MAX_AGE. */
  stale: boolean;
  reason: string | null;
  /** Why the served snapshot is less than it should be (from the catalog, or a snapshot this replica refused). */
  degraded: string[];
}

/** `/api/v1/status` and the snapshot freshness readiness builds on. */
@Injectable()
export class StatusService {
  private readonly startedAt: number;
  private readonly replica = instanceName('gateway');

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly follower: SnapshotFollowerService,
    private readonly catalog: CatalogClientRepository,
    private readonly credentials: CredentialsService,
    private readonly hdhomerun: HdhomerunService,
    private readonly discovery: DiscoveryResponderService,
    private readonly nats: NatsConnectionService,
    private readonly clock: ClockRepository,
    private readonly live: LiveSettings,
  ) {
    this.startedAt = clock.nowMs();
  }

  freshness(): Freshness {
    const meta = this.follower.meta;
    const rejected = this.follower.rejected;
    const degraded = [
      ...(meta?.degraded ?? []),
      ...(rejected
        ? [`snapshot ${rejected.version ?? '(unreadable record)'} rejected: ${rejected.reason}`]
        : []),
    ];
    if (!this.follower.current || !meta) {
      return { present: false, ageSeconds: null, stale: false, reason: null, degraded };
    }
    const ageSeconds = Math.max(0, Math.round((this.clock.nowMs() - Date.parse(meta.refreshedAt)) / 1000));
    if (meta.stale) {
      const reason = `last refresh failed: ${meta.lastError?.code ?? '?'}`;
      return { present: true, ageSeconds, stale: true, reason, degraded };
    }
    if (ageSeconds * 1000 > this.config.snapshotMaxAgeMs) {
      return { present: true, ageSeconds, stale: true, reason: `snapshot is ${ageSeconds} s old`, degraded };
    }
    return { present: true, ageSeconds, stale: false, reason: null, degraded };
  }

  async status(requestId: string): Promise<StatusDto> {
    const live = await this.catalog
      .request(Subject.CatalogGetMeta, {}, requestId)
      .catch((): CatalogMetaReply | null => null);
    const meta = this.follower.meta;
    const freshness = this.freshness();
    const receiver = this.follower.current?.snapshot.receiver ?? meta?.receiver ?? null;
    const limits = { ...this.config.limits, ...this.live.current.limits };
    const seconds = (ms: number) => Math.round(ms / 1000);
    return {
      gateway: {
        version: buildInfo().version,
        commit: buildInfo().commit,
        replica: this.replica,
        startedAt: new Date(this.startedAt).toISOString(),
        uptimeSeconds: seconds(this.clock.nowMs() - this.startedAt),
        nats: this.nats.state,
      },
      catalog: {
        present: freshness.present,
        ...(this.follower.current ? { version: this.follower.current.version } : {}),
        ...(meta ? { refreshedAt: meta.refreshedAt } : {}),
        ...(freshness.ageSeconds === null ? {} : { ageSeconds: freshness.ageSeconds }),
        stale: freshness.stale,
        ...(meta?.staleSince ? { staleSince: meta.staleSince } : {}),
        ...(meta?.lastError ? { lastError: meta.lastError } : {}),
        degraded: freshness.degraded,
        ...(meta ? { counts: meta.counts } : {}),
        partialFailures: meta?.partialFailures.length ?? 0,
        reachable: live !== null,
        ...(live ? { refreshing: live.refreshing } : {}),
      },
      receiver: receiver ? { ...receiver, breaker: live?.breaker ?? 'unknown' } : null,
      auth: {
        ...this.credentials.summary,
        signedUrlTtlSeconds:
          this.config.auth.signingTtlMs === null ? null : seconds(this.config.auth.signingTtlMs),
      },
      limits: {
        api: { limit: limits.api.limit, windowSeconds: seconds(limits.api.windowMs) },
        refresh: { limit: limits.refresh.limit, windowSeconds: seconds(limits.refresh.windowMs) },
        authFailures: {
          limit: limits.authFailures.limit,
          windowSeconds: seconds(limits.authFailures.windowMs),
        },
        maxBodyBytes: limits.maxBodyBytes,
        maxUrlLength: limits.maxUrlLength,
      },
      hdhomerun: {
        enabled: this.config.hdhomerun.enabled,
        deviceId: this.hdhomerun.device().deviceId,
        tunerCount: this.hdhomerun.tunerCount(),
        discoveryPort: this.discovery.port,
      },
    };
  }
}
