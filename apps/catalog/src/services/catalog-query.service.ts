import { Injectable } from '@nestjs/common';
import {
  assertEpgRange,
  CatalogLimits,
  E2gateError,
  ErrorCode,
  type BriefEvent,
  type CatalogChannelsReply,
  type CatalogEpgReply,
  type CatalogGetChannelsRequest,
  type CatalogGetEpgRequest,
  type CatalogMetaReply,
  type CatalogNowNextReply,
  type CatalogNowNextRequest,
  type CatalogSearchReply,
  type CatalogSearchRequest,
  type ChannelEvent,
  type EpgEvent,
} from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { ReceiverRepository } from '../repositories/receiver.repository.js';
import { CatalogStateService } from './catalog-state.service.js';
import { RefreshCoordinator } from './refresh-coordinator.service.js';
import type { SnapshotIndex } from './snapshot-index.js';

/** Answers catalog queries from the in-memory snapshot; every answer is bounded in size. */
@Injectable()
export class CatalogQueryService {
  constructor(
    private readonly state: CatalogStateService,
    private readonly clock: ClockRepository,
    private readonly receiver: ReceiverRepository,
    private readonly coordinator: RefreshCoordinator,
  ) {}

  meta(): CatalogMetaReply {
    const meta = this.state.meta;
    const base = { refreshing: this.coordinator.running, breaker: this.receiver.breakerState };
    if (!meta || !this.state.index) return { present: false, stale: false, ...base };
    return {
      present: true,
      version: meta.version,
      refreshedAt: meta.refreshedAt,
      ageSeconds: Math.max(0, Math.round((this.clock.nowMs() - Date.parse(meta.refreshedAt)) / 1000)),
      stale: meta.stale,
      ...(meta.staleSince ? { staleSince: meta.staleSince } : {}),
      ...(meta.lastError ? { lastError: meta.lastError } : {}),
      ...(meta.degraded?.length ? { degraded: meta.degraded } : {}),
      ...(meta.epgLoading ? { epgLoading: true } : {}),
      counts: meta.counts,
      partialFailures: meta.partialFailures,
      receiver: meta.receiver,
      ...base,
    };
  }

  channels(request: CatalogGetChannelsRequest): CatalogChannelsReply {
    const index = this.requireIndex();
    let channels = index.snapshot.channels;
    if (request.bouquet !== undefined) {
      const bouquet = index.bouquet(request.bouquet);
      if (!bouquet)
        throw new E2gateError(ErrorCode.NotFound, `no bouquet ${JSON.stringify(request.bouquet)}`);
      const wanted = new Set(bouquet.channelIds);
      channels = channels.filter((channel) => wanted.has(channel.id));
    }
    const offset = request.offset ?? 0;
    const limit = request.limit ?? CatalogLimits.defaultChannelsPerPage;
    return {
      version: index.version,
      bouquets: index.snapshot.bouquets,
      channels: channels.slice(offset, offset + limit),
      total: channels.length,
      offset,
    };
  }

  epg(request: CatalogGetEpgRequest): CatalogEpgReply {
    const index = this.requireIndex();
    assertEpgRange(request.from, request.to);
    const events: ChannelEvent[] = [];
    const unknownChannelIds: string[] = [];
    for (const id of new Set(request.channelIds)) {
      const channel = index.channel(id);
      if (!channel) {
        unknownChannelIds.push(id);
        continue;
      }
      for (const event of index.eventsBetween(channel, request.from, request.to))
        events.push({ ...event, channelId: channel.id });
    }
    const offset = request.offset ?? 0;
    const limit = request.limit ?? CatalogLimits.defaultEpgEventsPerPage;
    return {
      version: index.version,
      events: events.slice(offset, offset + limit),
      total: events.length,
      offset,
      unknownChannelIds,
    };
  }

  search(request: CatalogSearchRequest): CatalogSearchReply {
    const index = this.requireIndex();
    const from = request.from ?? this.clock.nowSeconds();
    const to = request.to ?? Number.MAX_SAFE_INTEGER;
    if (to <= from) throw new E2gateError(ErrorCode.ValidationFailed, '`to` must be after `from`');
    const result = index.search(request.q, {
      from,
      to,
      limit: request.limit ?? CatalogLimits.defaultSearchResults,
    });
    return { version: index.version, ...result };
  }

  nowNext(request: CatalogNowNextRequest): CatalogNowNextReply {
    const index = this.requireIndex();
    const at = request.at ?? this.clock.nowSeconds();
    const channels = request.channelIds
      ? request.channelIds.map((id) => index.channel(id)).filter((channel) => channel !== undefined)
      : index.snapshot.channels;
    const offset = request.offset ?? 0;
    const limit = request.limit ?? CatalogLimits.defaultNowNextChannels;
    const items = channels.slice(offset, offset + limit).map((channel) => {
      const { now, next } = index.nowNext(channel, at);
      return {
        channelId: channel.id,
        ...(now ? { now: brief(now) } : {}),
        ...(next ? { next: brief(next) } : {}),
      };
    });
    return { version: index.version, at, items, total: channels.length, offset };
  }

  private requireIndex(): SnapshotIndex {
    const index = this.state.index;
    if (!index)
      throw new E2gateError(ErrorCode.NoSnapshot, 'the catalog has no snapshot yet; a refresh is needed');
    return index;
  }
}

function brief(event: EpgEvent): BriefEvent {
  const { description: _description, ...rest } = event;
  return rest;
}
