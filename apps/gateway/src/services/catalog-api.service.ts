import { Injectable } from '@nestjs/common';
import {
  assertEpgRange,
  CatalogLimits,
  E2gateError,
  ErrorCode,
  Subject,
  type BriefEvent,
  type Channel,
  type ChannelEvent,
} from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import type {
  BouquetListDto,
  BriefEventDto,
  ChannelDetailDto,
  ChannelDto,
  ChannelPageDto,
  EpgPageDto,
  EventDto,
  NowNextDto,
  RefreshAcceptedDto,
  SearchResultDto,
} from '../dto/catalog-responses.dto.js';
import type { ChannelsQuery, EpgQuery, NowNextQuery, SearchQuery } from '../dto/query.dto.js';
import { JsonBody } from '../http/json-body.js';
import { CatalogClientRepository } from '../repositories/catalog-client.repository.js';
import { NowNextCache } from './now-next-cache.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';

const DEFAULT_EPG_WINDOW_SECONDS = 24 * 3600;

/**
 * The `/api/v1` queries: HTTP parameters → the catalog's NATS queries → public response shapes (never the
 * internal ones: an IPTV upstream URL may carry credentials and is not exposed).
 */
@Injectable()
export class CatalogApiService {
  private readonly nowNextCache = new NowNextCache();

  constructor(
    private readonly catalog: CatalogClientRepository,
    private readonly follower: SnapshotFollowerService,
    private readonly clock: ClockRepository,
  ) {}

  async bouquets(requestId: string): Promise<BouquetListDto> {
    const reply = await this.catalog.request(Subject.CatalogGetChannels, { limit: 1 }, requestId);
    return {
      version: reply.version,
      items: reply.bouquets.map((bouquet) => ({
        id: bouquet.id,
        name: bouquet.name,
        channelIds: bouquet.channelIds,
      })),
    };
  }

  async channels(query: ChannelsQuery, requestId: string): Promise<ChannelPageDto> {
    const limit = query.limit ?? CatalogLimits.defaultChannelsPerPage;
    const offset = query.offset ?? 0;
    const reply = await this.catalog.request(
      Subject.CatalogGetChannels,
      { offset, limit, ...(query.bouquet === undefined ? {} : { bouquet: query.bouquet }) },
      requestId,
    );
    return {
      version: reply.version,
      total: reply.total,
      offset,
      limit,
      items: reply.channels.map(channelDto),
    };
  }

  /** One channel from the snapshot this replica serves (the catalog has no single-channel query). */
  channel(id: string): ChannelDetailDto {
    const { view, channel } = this.follower.requireChannel(id);
    return { version: view.version, channel: channelDto(channel) };
  }

  async epg(query: EpgQuery, requestId: string): Promise<EpgPageDto> {
    const from = query.from ?? this.clock.nowSeconds();
    const to = query.to ?? from + DEFAULT_EPG_WINDOW_SECONDS;
    assertEpgRange(from, to);
    const limit = query.limit ?? CatalogLimits.defaultEpgEventsPerPage;
    const offset = query.offset ?? 0;
    const reply = await this.catalog.request(
      Subject.CatalogGetEpg,
      { channelIds: [...new Set(query.channel.split(','))], from, to, offset, limit },
      requestId,
    );
    return {
      version: reply.version,
      total: reply.total,
      offset,
      limit,
      from,
      to,
      items: reply.events.map(eventDto),
      unknownChannelIds: reply.unknownChannelIds,
    };
  }

  async search(query: SearchQuery, requestId: string): Promise<SearchResultDto> {
    const from = query.from ?? this.clock.nowSeconds();
    if (query.to !== undefined && query.to <= from) {
      throw new E2gateError(ErrorCode.ValidationFailed, '`to` must be after `from`');
    }
    const reply = await this.catalog.request(
      Subject.CatalogGetSearch,
      {
        q: query.q,
        from,
        ...(query.to === undefined ? {} : { to: query.to }),
        limit: query.limit ?? CatalogLimits.defaultSearchResults,
      },
      requestId,
    );
    return { version: reply.version, items: reply.events.map(eventDto), truncated: reply.truncated };
  }

  /**
   * Now/next as JSON bytes. The answer at the present instant is shared between callers, serialised once, for as
   * long as it cannot change; one at a given `at` is fetched for each request.
   */
  async nowNext(query: NowNextQuery, requestId: string): Promise<JsonBody> {
    if (query.at !== undefined) return JsonBody.of(await this.fetchNowNext(query, requestId));
    const key = [
      this.follower.current?.version ?? '-',
      query.offset ?? 0,
      query.limit ?? '',
      query.channel ?? '',
    ].join('|');
    return this.nowNextCache.get(key, this.clock.nowSeconds(), () => this.fetchNowNext(query, requestId));
  }

  private async fetchNowNext(query: NowNextQuery, requestId: string): Promise<NowNextDto> {
    const limit = query.limit ?? CatalogLimits.defaultNowNextChannels;
    const offset = query.offset ?? 0;
    const reply = await this.catalog.request(
      Subject.CatalogGetNowNext,
      {
        offset,
        limit,
        ...(query.at === undefined ? {} : { at: query.at }),
        ...(query.channel === undefined ? {} : { channelIds: [...new Set(query.channel.split(','))] }),
      },
      requestId,
    );
    return {
      version: reply.version,
      at: reply.at,
      total: reply.total,
      offset,
      limit,
      items: reply.items.map((item) => ({
        channelId: item.channelId,
        ...(item.now ? { now: briefDto(item.now) } : {}),
        ...(item.next ? { next: briefDto(item.next) } : {}),
      })),
    };
  }

  async refresh(reason: string | undefined, requestId: string): Promise<RefreshAcceptedDto> {
    const reply = await this.catalog.request(
      Subject.CatalogCmdRefresh,
      { reason: describedReason(reason) },
      requestId,
    );
    return { refreshId: reply.refreshId, state: reply.state };
  }
}

/**
 * What the catalog is told about why a refresh was asked for. The catalog logs it, and the reason is free text a
 * user typed, so only its length leaves the gateway (the request id, in the correlation header, links the two).
 */
function describedReason(reason: string | undefined): string {
  return reason === undefined ? 'api' : `api, reason of ${[...reason].length} characters`;
}

export function channelDto(channel: Channel): ChannelDto {
  return {
    id: channel.id,
    xmltvId: channel.xmltvId,
    number: channel.number,
    name: channel.name,
    kind: channel.kind,
    hd: channel.hd,
    sid: channel.sid,
    serviceType: channel.serviceType,
    bouquetIds: channel.bouquetIds,
    picon: channel.picon,
    ...(channel.lcn === undefined ? {} : { lcn: channel.lcn }),
    ...(channel.provider === undefined ? {} : { provider: channel.provider }),
    streamPath: `/stream/${encodeURIComponent(channel.id)}`,
    hlsPath: `/hls/${encodeURIComponent(channel.id)}/index.m3u8`,
    logoPath: channel.picon === null ? null : `/picons/${encodeURIComponent(channel.picon)}.png`,
  };
}

function briefDto(event: BriefEvent): BriefEventDto {
  return {
    id: event.id,
    start: event.start,
    stop: event.stop,
    title: event.title,
    ...(event.subtitle === undefined ? {} : { subtitle: event.subtitle }),
    ...(event.genre === undefined ? {} : { genre: event.genre }),
    ...(event.genreId === undefined ? {} : { genreId: event.genreId }),
  };
}

function eventDto(event: ChannelEvent): EventDto {
  return {
    channelId: event.channelId,
    ...briefDto(event),
    ...(event.description === undefined ? {} : { description: event.description }),
  };
}
