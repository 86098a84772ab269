import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DiscoverDto {
  @ApiProperty() FriendlyName!: string;
  @ApiProperty() Manufacturer!: string;
  @ApiProperty() ModelNumber!: string;
  @ApiProperty() FirmwareName!: string;
  @ApiProperty() FirmwareVersion!: string;
  @ApiProperty({ pattern: '^[0-9A-F]{8}$' }) DeviceID!: string;
  @ApiProperty() DeviceAuth!: string;
  @ApiProperty() BaseURL!: string;
  @ApiProperty() LineupURL!: string;
  @ApiProperty({ type: 'integer' }) TunerCount!: number;
}

export class LineupEntryDto {
  @ApiProperty({ example: '1' }) GuideNumber!: string;
  @ApiProperty() GuideName!: string;
  @ApiProperty() URL!: string;
  @ApiPropertyOptional({ enum: [0, 1] }) HD?: 0 | 1;
}

export class LineupStatusDto {
  @ApiProperty({ enum: [0, 1] }) ScanInProgress!: 0 | 1;
  @ApiProperty({ enum: [0, 1] }) ScanPossible!: 0 | 1;
  @ApiProperty({ enum: ['Cable', 'Antenna'] }) Source!: string;
  @ApiProperty({ type: [String] }) SourceList!: string[];
}

export class HealthDto {
  @ApiProperty({ enum: ['ok'] }) status!: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'degraded', 'error'] }) status!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) info?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) error?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
  @ApiPropertyOptional() code?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional() requestId?: string;
}
