import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode, HttpEdgeErrorCode } from '@e2gate/contracts';

export class ErrorDto {
  @ApiProperty({ enum: [...Object.values(ErrorCode), ...Object.values(HttpEdgeErrorCode)] }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ description: 'Also in the x-request-id response header and the logs' }) requestId!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'e.g. invalid fields' })
  details?: Record<string, unknown>;
}
