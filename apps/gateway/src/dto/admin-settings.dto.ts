import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { GATEWAY_RELOADABLE_VARIABLES, LOG_LEVELS } from '@e2gate/config';

export class SettingsReloadedDto {
  @ApiProperty({
    enum: GATEWAY_RELOADABLE_VARIABLES,
    isArray: true,
    description: 'The settings whose value changed (empty: the file says what runs already)',
  })
  changed!: string[];
}

export class LogLevelDto {
  @ApiProperty({ enum: LOG_LEVELS, example: 'debug' })
  @IsIn(LOG_LEVELS)
  level!: (typeof LOG_LEVELS)[number];
}
