import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ChannelDto {
  @ApiProperty({ example: 'das-erste-hd-3f9a2c01' }) id!: string;
  @ApiProperty({
    description: 'Guide id (XMLTV channel id and playlist tvg-id)',
    example: '283d-3fb-1-c00000.dvb',
  })
  xmltvId!: string;
  @ApiProperty({ type: 'integer', example: 1 }) number!: number;
  @ApiProperty({ example: 'Das Erste HD' }) name!: string;
  @ApiProperty({ enum: ['dvb', 'iptv', 'alternatives'] }) kind!: 'dvb' | 'iptv' | 'alternatives';
  @ApiProperty() hd!: boolean;
  @ApiProperty({ type: 'integer', description: 'DVB service id' }) sid!: number;
  @ApiProperty({ type: 'integer' }) serviceType!: number;
  @ApiProperty({ type: [String] }) bouquetIds!: string[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Picon name (served at /picons/<name>.png)' })
  picon!: string | null;
  @ApiPropertyOptional({ type: 'integer' }) lcn?: number;
  @ApiPropertyOptional() provider?: string;
  @ApiProperty({ example: '/stream/das-erste-hd-3f9a2c01' }) streamPath!: string;
  @ApiProperty({
    example: '/hls/das-erste-hd-3f9a2c01/index.m3u8',
    description: 'Browser HLS (multivariant playlist); needs the stream scope like streamPath',
  })
  hlsPath!: string;
  @ApiProperty({ type: 'string', nullable: true, example: '/picons/283d-3fb-1-c00000.png' }) logoPath!:
    string | null;
}

export class BouquetDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String] }) channelIds!: string[];
}

export class BouquetListDto {
  @ApiProperty({ description: 'Snapshot version' }) version!: string;
  @ApiProperty({ type: [BouquetDto] }) items!: BouquetDto[];
}

export class ChannelPageDto {
  @ApiProperty() version!: string;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: [ChannelDto] }) items!: ChannelDto[];
}

export class ChannelDetailDto {
  @ApiProperty() version!: string;
  @ApiProperty({ type: ChannelDto }) channel!: ChannelDto;
}

export class BriefEventDto {
  @ApiProperty({ type: 'integer', description: 'DVB event id' }) id!: number;
  @ApiProperty({ type: 'integer', description: 'Epoch seconds' }) start!: number;
  @ApiProperty({ type: 'integer', description: 'Epoch seconds' }) stop!: number;
  @ApiProperty() title!: string;
  @ApiPropertyOptional() subtitle?: string;
  @ApiPropertyOptional() genre?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'DVB content nibbles (level1 × 16 + level2)' })
  genreId?: number;
}

export class EventDto extends BriefEventDto {
  @ApiProperty() channelId!: string;
  @ApiPropertyOptional() description?: string;
}

export class EpgPageDto {
  @ApiProperty() version!: string;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) from!: number;
  @ApiProperty({ type: 'integer' }) to!: number;
  @ApiProperty({ type: [EventDto] }) items!: EventDto[];
  @ApiProperty({ type: [String], description: 'Requested ids the catalog does not know' })
  unknownChannelIds!: string[];
}

export class SearchResultDto {
  @ApiProperty() version!: string;
  @ApiProperty({ type: [EventDto] }) items!: EventDto[];
  @ApiProperty({ description: 'More events matched than the limit' }) truncated!: boolean;
}

export class NowNextItemDto {
  @ApiProperty() channelId!: string;
  @ApiPropertyOptional({ type: BriefEventDto }) now?: BriefEventDto;
  @ApiPropertyOptional({ type: BriefEventDto }) next?: BriefEventDto;
}

export class NowNextDto {
  @ApiProperty() version!: string;
  @ApiProperty({ type: 'integer' }) at!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: [NowNextItemDto] }) items!: NowNextItemDto[];
}

export class RefreshAcceptedDto {
  @ApiProperty({ format: 'uuid' }) refreshId!: string;
  @ApiProperty({ enum: ['started', 'joined'], description: 'joined: a refresh was already running' })
  state!: 'started' | 'joined';
}

export class RecordingDto {
  @ApiProperty({ description: 'Stable id (from the file path on the receiver)' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'The service it was recorded from, as the receiver names it' })
  channelName!: string;
  @ApiPropertyOptional({ description: 'The catalog channel of that name, when there is one' })
  channelId?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Start of the recording (epoch seconds)' })
  recordedAt?: number;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Absent while the receiver has not measured the file',
  })
  durationSeconds?: number;
  @ApiPropertyOptional({ type: 'integer' }) sizeBytes?: number;
}

export class RecordingPageDto {
  @ApiProperty({ description: 'Snapshot version' }) version!: string;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: [RecordingDto], description: 'Newest first' }) items!: RecordingDto[];
}

export class RecordingDetailDto {
  @ApiProperty({ description: 'Snapshot version' }) version!: string;
  @ApiProperty({ type: RecordingDto }) recording!: RecordingDto;
}
