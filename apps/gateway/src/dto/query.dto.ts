import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { CatalogLimits, HlsProfile, TsProfile } from '@e2gate/contracts';
import { IntegerParam } from './integer-param.js';

const EPOCH_MAX = 4_102_444_800;
export const CHANNEL_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,80}$';
const ID = '[a-z0-9][a-z0-9-]{0,80}';
const CHANNEL_LIST = (max: number) => new RegExp(`^${ID}(,${ID}){0,${max - 1}}$`);

/** Trims a string; anything else (a repeated parameter arrives as an array) is left for the validators to reject. */
const trimmed = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

export class PlaylistQuery {
  @ApiPropertyOptional({
    description: 'Only this bouquet (id, or name in any case); its name becomes the group',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  bouquet?: string;
}

export class ChannelsQuery extends PlaylistQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: CatalogLimits.maxChannelsPerPage,
    default: CatalogLimits.defaultChannelsPerPage,
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxChannelsPerPage)
  limit?: number;
}

export class ChannelIdParam {
  @ApiProperty({ pattern: CHANNEL_ID_PATTERN, example: 'das-erste-hd-3f9a2c01' })
  @Matches(new RegExp(CHANNEL_ID_PATTERN))
  id!: string;
}

class TimeWindow {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: EPOCH_MAX,
    description: 'Epoch seconds; default now',
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  from?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: EPOCH_MAX,
    description: `Epoch seconds; at most ${CatalogLimits.maxEpgRangeSeconds} s after from`,
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  to?: number;
}

export class EpgQuery extends TimeWindow {
  @ApiProperty({
    description: `Channel ids, comma-separated (1 to ${CatalogLimits.maxEpgChannelsPerQuery})`,
    example: 'das-erste-hd-3f9a2c01,zdf-hd-1b2c3d4e',
    pattern: CHANNEL_LIST(CatalogLimits.maxEpgChannelsPerQuery).source,
  })
  @trimmed()
  @IsString()
  @Matches(CHANNEL_LIST(CatalogLimits.maxEpgChannelsPerQuery), {
    message: `channel must be 1 to ${CatalogLimits.maxEpgChannelsPerQuery} comma-separated channel ids`,
  })
  channel!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: CatalogLimits.maxEpgEventsPerPage,
    default: CatalogLimits.defaultEpgEventsPerPage,
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxEpgEventsPerPage)
  limit?: number;
}

export class SearchQuery extends TimeWindow {
  @ApiProperty({
    minLength: CatalogLimits.minSearchQueryLength,
    maxLength: CatalogLimits.maxSearchQueryLength,
    example: 'tagesschau',
  })
  @IsString()
  @Length(CatalogLimits.minSearchQueryLength, CatalogLimits.maxSearchQueryLength)
  q!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: CatalogLimits.maxSearchResults,
    default: CatalogLimits.defaultSearchResults,
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxSearchResults)
  limit?: number;
}

export class NowNextQuery {
  @ApiPropertyOptional({
    description: 'Channel ids, comma-separated (default: every channel, paged)',
    pattern: CHANNEL_LIST(200).source,
  })
  @IsOptional()
  @trimmed()
  @IsString()
  @Matches(CHANNEL_LIST(200), { message: 'channel must be 1 to 200 comma-separated channel ids' })
  channel?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: EPOCH_MAX,
    description: 'Epoch seconds; default now',
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(EPOCH_MAX)
  at?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: CatalogLimits.maxNowNextChannels,
    default: CatalogLimits.defaultNowNextChannels,
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(1)
  @Max(CatalogLimits.maxNowNextChannels)
  limit?: number;
}

export class RefreshBody {
  @ApiPropertyOptional({ maxLength: 200, example: 'new channels on the box' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export class PiconParam {
  @ApiProperty({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}\\.png$', example: '283d-3fb-1-c00000.png' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.png$/, { message: 'file must be a picon name ending in .png' })
  file!: string;
}

export class StreamParams {
  @ApiProperty({ pattern: CHANNEL_ID_PATTERN, example: 'das-erste-hd-3f9a2c01' })
  @Matches(new RegExp(CHANNEL_ID_PATTERN))
  channelId!: string;
}

export class StreamQuery {
  @ApiPropertyOptional({
    enum: [
      'heavy',
      'mobile',
      'internet720',
      'internet540',
      'internet480',
      'internet360',
      'internet240',
      'none',
    ],
    description: 'Accepted for HDHomeRun clients (Jellyfin appends it); the stream is passed through',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  transcode?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 86400,
    description: 'Accepted and ignored (HDHomeRun)',
  })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(86400)
  duration?: number;

  @ApiPropertyOptional({
    enum: TsProfile,
    default: 'copy',
    description:
      'copy: as broadcast; aac: audio made AAC; h264: AAC, and video transcoded to progressive H.264 where the ' +
      'source is MPEG-2, HEVC or interlaced; h264-deinterlace: AAC, video always transcoded and deinterlaced',
  })
  @IsOptional()
  @IsIn(TsProfile)
  profile?: TsProfile;
}

export class HlsIndexQuery {
  @ApiPropertyOptional({
    enum: [...HlsProfile, 'auto'],
    description:
      'Default E2GATE_HLS_PROFILE (h264). h264 (alias auto): video transcoded to progressive H.264 where a browser ' +
      'cannot play it (MPEG-2, HEVC, interlaced), copied where it can; aac: video always copied; ' +
      'h264-deinterlace: always transcoded and deinterlaced',
  })
  @IsOptional()
  @IsIn([...HlsProfile, 'auto'])
  profile?: HlsProfile | 'auto';
}

export class LineupPostQuery {
  @ApiPropertyOptional({ enum: ['start', 'abort'] })
  @IsOptional()
  @Matches(/^(start|abort)$/, { message: 'scan must be start or abort' })
  scan?: 'start' | 'abort';

  @ApiPropertyOptional({ enum: ['Cable', 'Antenna'] })
  @IsOptional()
  @Matches(/^(Cable|Antenna)$/, { message: 'source must be Cable or Antenna' })
  source?: string;

  @ApiPropertyOptional({ description: 'Favourite toggles like +4.1 (accepted, ignored)', maxLength: 20 })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  favorite?: string;
}

export class DeviceKeyParam {
  @ApiProperty({
    description: 'HDHomeRun device key (see /discover.json BaseURL)',
    pattern: '^[A-Za-z0-9_-]{32}$',
  })
  @Matches(/^[A-Za-z0-9_-]{32}$/)
  key!: string;
}

export class RecordingsQuery {
  @ApiPropertyOptional({
    description: 'Only recordings of this channel (catalog channel id)',
    pattern: CHANNEL_ID_PATTERN,
  })
  @IsOptional()
  @Matches(new RegExp(CHANNEL_ID_PATTERN))
  channel?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class RecordingIdParam {
  @ApiProperty({ pattern: '^[0-9a-f]{16}$', example: '3f9a2c01d4e5b6a7' })
  @Matches(/^[0-9a-f]{16}$/)
  id!: string;
}
