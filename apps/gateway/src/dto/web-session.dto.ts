import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { API_SCOPES } from '@e2gate/config';

export class SignInDto {
  @ApiProperty({
    description: 'An API token (the admin token printed at first start, or one of E2GATE_API_TOKENS)',
  })
  @IsString()
  @Length(1, 1024)
  token!: string;
}

export class WebSessionDto {
  @ApiProperty({
    enum: ['session', 'token', 'anonymous', 'none'],
    description:
      'How this caller is signed in: a browser session (cookie), a bearer token, anonymous scopes ' +
      '(E2GATE_ALLOW_ANONYMOUS), or not at all (scopes empty)',
  })
  kind!: 'session' | 'token' | 'anonymous' | 'none';
  @ApiProperty({ example: 'living-room', description: 'The token name (`anonymous` without one)' })
  name!: string;
  @ApiProperty({ enum: API_SCOPES, isArray: true }) scopes!: string[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'Send as `X-CSRF-Token` with every POST/DELETE made with the session cookie (null: no cookie)',
  })
  csrfToken!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) expiresAt!: string | null;
}
