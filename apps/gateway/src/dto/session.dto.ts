import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { StreamProfile } from '@e2gate/contracts';

export class SessionDto {
  @ApiProperty({ example: 'das-erste-hd-3f9a2c01-aac-1a2b3c4d' }) id!: string;
  @ApiProperty({ example: 'das-erste-hd-3f9a2c01' }) channelId!: string;
  @ApiProperty({ example: 'Das Erste HD' }) channelName!: string;
  @ApiProperty({ enum: StreamProfile }) profile!: string;
  @ApiProperty({ description: 'Transcoder node running it' }) node!: string;
  @ApiProperty({ enum: ['starting', 'live', 'reconnecting', 'closing'] }) state!: string;
  @ApiProperty({ type: 'integer', description: 'Viewers on every gateway replica' }) viewers!: number;
  @ApiProperty({ type: 'integer', description: 'Bits per second read from the receiver' })
  bitrateBps!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: 'integer' }) uptimeSeconds!: number;
  @ApiProperty({ type: 'integer', description: 'Upstream outages reconnected without dropping viewers' })
  upstreamReconnects!: number;
  @ApiProperty({ type: 'integer' }) bytesIn!: number;
  @ApiProperty({ type: 'integer' }) bytesOut!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Engine warnings by kind (continuity errors, scrambled packets, timestamp jumps, …)',
  })
  warnings!: Record<string, number>;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Transponder whose tuner it holds (null: none)',
  })
  transponder!: string | null;
  @ApiPropertyOptional({
    enum: ['software', 'vaapi', 'nvenc'],
    description: 'The video encoder while the session transcodes video',
  })
  encoder?: string;
  @ApiProperty({ enum: ['ts', 'hls'], description: 'MPEG-TS stream or browser HLS' }) delivery!: string;
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto] }) sessions!: SessionDto[];
  @ApiProperty({ type: 'integer', description: 'Tuners in use (transponders with a session)' })
  tunersInUse!: number;
}

export class NodeDto {
  @ApiProperty({ example: 'transcoder-box-4242' }) id!: string;
  @ApiProperty({ description: 'Changes at every start of the process' }) bootId!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ example: { version: '0.1.0', avcodec: '59.37.100' } }) engine!: {
    version: string;
    avcodec: string;
  };
  @ApiProperty({ type: 'integer' }) cpus!: number;
  @ApiProperty({ type: 'integer', description: 'Sessions it takes at most' }) capacity!: number;
  @ApiProperty({ type: 'integer' }) sessions!: number;
  @ApiProperty({ description: 'CPU use over the last heartbeat, in cores' }) load!: number;
  @ApiProperty({ type: [String], example: ['software'], description: 'Video encoders that work on it' })
  encoders!: string[];
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      properties: {
        encoder: { type: 'string', enum: ['software', 'vaapi', 'nvenc'] },
        available: { type: 'boolean' },
        reason: { type: 'string' },
      },
      required: ['encoder', 'available'],
    },
    description: 'Every video encoder backend its probe tried, with why those that do not work do not',
  })
  encoderProbe!: { encoder: string; available: boolean; reason?: string }[];
  @ApiProperty({ type: 'integer', description: 'Video-transcoding sessions it takes at most' })
  transcodeCapacity!: number;
  @ApiProperty({ type: 'integer', description: 'Video-transcoding sessions running' })
  transcodeSessions!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) heartbeatAt!: string;
}

export class NodeListDto {
  @ApiProperty({ type: [NodeDto] }) nodes!: NodeDto[];
}

export class SessionIdParam {
  @ApiProperty({ example: 'das-erste-hd-3f9a2c01-aac-1a2b3c4d' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,120}$/, { message: 'id must be a session id' })
  id!: string;
}
