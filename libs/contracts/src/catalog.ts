import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type {
  Bouquet,
  CatalogCounts,
  Channel,
  EpgEvent,
  PartialFailure,
  ReceiverSummary,
} from './catalog-snapshot.js';
import { CatalogLimits } from './limits.js';

const CHANNEL_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;
const EPOCH_MAX = 4_102_444_800; // 2100-01-01

// ---- catalog.get.meta ------------------------------------------------------------------------------

export class CatalogGetMetaRequest {}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface CatalogMetaReply {
  present: boolean;
  version?: string;
  refreshedAt?: string;
  ageSeconds?: number;
  stale: boolean;
  staleSince?: string;
  lastError?: { code: string; message: string; at: string };
  /** Why the snapshot serves less than it should (see CatalogMetaRecord.degraded); absent when healthy. */
  degraded?: string[];
  epgLoading?: boolean;
  counts?: CatalogCounts;
  partialFailures?: PartialFailure[];
  receiver?: ReceiverSummary;
  refreshing: boolean;
  breaker: BreakerState;
}

// ---- catalog.get.channels --------------------------------------------------------------------------

export class CatalogGetChannelsRequest {
  /** Bouquet id or exact bouquet name. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  bouquet?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxChannelsPerPage)
  limit?: number;
}

export interface CatalogChannelsReply {
  version: string;
  bouquets: Bouquet[];
  channels: Channel[];
  total: number;
  offset: number;
}

// ---- catalog.get.epg -------------------------------------------------------------------------------

export class CatalogGetEpgRequest {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CatalogLimits.maxEpgChannelsPerQuery)
  @Matches(CHANNEL_ID, { each: true })
  channelIds!: string[];

  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  from!: number;

  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  to!: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxEpgEventsPerPage)
  limit?: number;
}

export interface ChannelEvent extends EpgEvent {
  channelId: string;
}

export interface CatalogEpgReply {
  version: string;
  events: ChannelEvent[];
  total: number;
  offset: number;
  /** Channel ids of the request that the catalog does not know. */
  unknownChannelIds: string[];
}

// ---- catalog.get.search ----------------------------------------------------------------------------

export class CatalogSearchRequest {
  @IsString()
  @Length(CatalogLimits.minSearchQueryLength, CatalogLimits.maxSearchQueryLength)
  q!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  from?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  to?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxSearchResults)
  limit?: number;
}

export interface CatalogSearchReply {
  version: string;
  events: ChannelEvent[];
  /** True when more events matched than `limit`. */
  truncated: boolean;
}

// ---- catalog.get.now-next --------------------------------------------------------------------------

export class CatalogNowNextRequest {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CatalogLimits.maxNowNextChannels)
  @Matches(CHANNEL_ID, { each: true })
  channelIds?: string[];

  /** Instant to evaluate (epoch seconds); default now. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  at?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxNowNextChannels)
  limit?: number;
}

/** Now/next entries carry no long description to keep replies small. */
export type BriefEvent = Omit<EpgEvent, 'description'>;

export interface NowNextItem {
  channelId: string;
  now?: BriefEvent;
  next?: BriefEvent;
}

export interface CatalogNowNextReply {
  version: string;
  at: number;
  items: NowNextItem[];
  total: number;
  offset: number;
}

// ---- catalog.cmd.refresh ---------------------------------------------------------------------------

export class CatalogRefreshCommand {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export interface CatalogRefreshReply {
  refreshId: string;
  /** `started`: this command started a refresh; `joined`: one was already running. */
  state: 'started' | 'joined';
}

// ---- events ------------------------------------------------------------------------------------------

export class CatalogCountsDto implements CatalogCounts {
  @IsInt() @Min(0) bouquets!: number;
  @IsInt() @Min(0) channels!: number;
  @IsInt() @Min(0) events!: number;
  @IsInt() @Min(0) channelsWithEpg!: number;
  @IsInt() @Min(0) picons!: number;
  @IsOptional() @IsInt() @Min(0) epgCarried?: number;
  @IsOptional() @IsInt() @Min(0) recordings?: number;
}

// Events are validated by their handlers like requests (whitelist, unknown fields rejected): every field needs a
// class-validator decorator, or the event is rejected and its handler never runs.

export class CatalogRefreshedEvent {
  @IsString() refreshId!: string;
  @IsString() version!: string;
  /** False when the new snapshot has the same content (and version) as the previous one. */
  @IsBoolean() changed!: boolean;
  @ValidateNested() @Type(() => CatalogCountsDto) counts!: CatalogCountsDto;
  @IsInt() @Min(0) partialFailures!: number;
  @IsInt() @Min(0) durationMs!: number;
  /**
   * True for a step published while the refresh goes on (the channel list, then the EPG read so far, while the
   * first full EPG loads); the refresh's outcome is the event without it.
   */
  @IsOptional() @IsBoolean() partial?: boolean;
}

export class CatalogRefreshFailedEvent {
  @IsString() refreshId!: string;
  @IsString() code!: string;
  @IsString() message!: string;
  @IsInt() @Min(0) durationMs!: number;
  /** True when an older snapshot keeps being served. */
  @IsBoolean() stale!: boolean;
}
