import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class GatewayInfoDto {
  @ApiProperty() version!: string;
  @ApiProperty({ description: 'The git commit this build came from, or "unknown"' }) commit!: string;
  @ApiProperty({ description: 'This replica: gateway-<host>-<pid>' }) replica!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: 'integer' }) uptimeSeconds!: number;
  @ApiProperty({ enum: ['connecting', 'connected', 'reconnecting', 'disconnected', 'closed'] }) nats!: string;
}

class CatalogErrorDto {
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

class CountsDto {
  @ApiProperty({ type: 'integer' }) bouquets!: number;
  @ApiProperty({ type: 'integer' }) channels!: number;
  @ApiProperty({ type: 'integer' }) events!: number;
  @ApiProperty({ type: 'integer' }) channelsWithEpg!: number;
  @ApiProperty({ type: 'integer' }) picons!: number;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Channels whose EPG could not be read and is carried over from an earlier refresh',
  })
  epgCarried?: number;
  @ApiPropertyOptional({ type: 'integer', description: "Recordings on the receiver's disks" })
  recordings?: number;
}

class CatalogStatusDto {
  @ApiProperty({ description: 'This replica serves a snapshot' }) present!: boolean;
  @ApiPropertyOptional() version?: string;
  @ApiPropertyOptional({ format: 'date-time' }) refreshedAt?: string;
  @ApiPropertyOptional({ type: 'integer' }) ageSeconds?: number;
  @ApiProperty({
    description: 'The last refresh failed, or the snapshot is older than E2GATE_SNAPSHOT_MAX_AGE',
  })
  stale!: boolean;
  @ApiPropertyOptional({ format: 'date-time' }) staleSince?: string;
  @ApiPropertyOptional({ type: CatalogErrorDto }) lastError?: CatalogErrorDto;
  @ApiProperty({
    type: [String],
    description:
      'Why the served snapshot is less than it should be (EPG loading, a large part of the EPG not read, ' +
      'bouquets missing, a published snapshot rejected); empty when healthy. Readiness says `degraded` meanwhile.',
  })
  degraded!: string[];
  @ApiPropertyOptional({ type: CountsDto }) counts?: CountsDto;
  @ApiProperty({ type: 'integer' }) partialFailures!: number;
  @ApiProperty({ description: 'The catalog answered catalog.get.meta just now' }) reachable!: boolean;
  @ApiPropertyOptional() refreshing?: boolean;
}

class ReceiverStatusDto {
  @ApiProperty() brand!: string;
  @ApiProperty() model!: string;
  @ApiProperty() imageVersion!: string;
  @ApiProperty() webifVersion!: string;
  @ApiProperty({ type: 'integer' }) tuners!: number;
  @ApiProperty({
    enum: ['closed', 'open', 'half-open', 'isolated', 'unknown'],
    description: "The catalog's circuit breaker towards the receiver",
  })
  breaker!: string;
}

class LimitDto {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) windowSeconds!: number;
}

class LimitsDto {
  @ApiProperty({ type: LimitDto, description: 'Requests per client' }) api!: LimitDto;
  @ApiProperty({ type: LimitDto, description: 'POST /api/v1/catalog/refresh per client' }) refresh!: LimitDto;
  @ApiProperty({ type: LimitDto, description: 'Bad credentials per client before 429' })
  authFailures!: LimitDto;
  @ApiProperty({ type: 'integer' }) maxBodyBytes!: number;
  @ApiProperty({ type: 'integer' }) maxUrlLength!: number;
}

class AuthStatusDto {
  @ApiProperty({
    type: [String],
    enum: ['read', 'stream'],
    description: 'Scopes granted without credentials',
  })
  anonymousScopes!: string[];
  @ApiProperty({ type: 'integer' }) tokens!: number;
  @ApiProperty({ description: 'No tokens configured: the generated admin token is in use' })
  generatedAdminToken!: boolean;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Lifetime of signed URLs; null: no expiry' })
  signedUrlTtlSeconds!: number | null;
}

class HdhomerunStatusDto {
  @ApiProperty() enabled!: boolean;
  @ApiProperty() deviceId!: string;
  @ApiProperty({ type: 'integer' }) tunerCount!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'UDP discovery port, null when off' })
  discoveryPort!: number | null;
}

export class StatusDto {
  @ApiProperty({ type: GatewayInfoDto }) gateway!: GatewayInfoDto;
  @ApiProperty({ type: CatalogStatusDto }) catalog!: CatalogStatusDto;
  @ApiProperty({ type: ReceiverStatusDto, nullable: true }) receiver!: ReceiverStatusDto | null;
  @ApiProperty({ type: AuthStatusDto }) auth!: AuthStatusDto;
  @ApiProperty({ type: LimitsDto }) limits!: LimitsDto;
  @ApiProperty({ type: HdhomerunStatusDto }) hdhomerun!: HdhomerunStatusDto;
}
