import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  ARTIFACT_ID_PATTERN,
  FAILURE_CLASSES,
  JOB_CLASSES,
  JOB_ID_PATTERN,
  JOB_KINDS,
  JOB_POOLS,
  JOB_STATES,
} from '@e2gate/contracts';
import { IntegerParam } from './integer-param.js';

export const JOB_LIMITS = {
  maxTimeoutSec: 86_400,
  maxAttempts: 10,
  maxNoopMs: 600_000,
  maxLanguages: 8,
  maxNoopOutputBytes: 16 * 1024 * 1024,
} as const;

export class JobOutputDto {
  @ApiPropertyOptional({
    enum: ['mp4'],
    default: 'mp4',
    description: 'MP4 with the index first (fast start)',
  })
  @IsOptional()
  @IsIn(['mp4'])
  format?: 'mp4';

  @ApiPropertyOptional({
    enum: ['auto', 'copy', 'h264'],
    default: 'auto',
    description:
      '`auto`: copied when it is progressive H.264 (plays in every browser), else transcoded; `copy`: as ' +
      'broadcast; `h264`: always transcoded (and deinterlaced) to H.264',
  })
  @IsOptional()
  @IsIn(['auto', 'copy', 'h264'])
  video?: 'auto' | 'copy' | 'h264';

  @ApiPropertyOptional({
    type: [String],
    example: ['deu', 'eng'],
    description: 'ISO 639-2 codes of the audio tracks to keep (each becomes AAC); empty or absent: all',
  })
  @IsOptional()
  @ArrayMaxSize(JOB_LIMITS.maxLanguages)
  @Matches(/^[a-z]{3}$/, { each: true })
  languages?: string[];
}

export class JobCreateDto {
  @ApiProperty({
    enum: JOB_KINDS,
    description:
      '`recording`: a receiver recording made browser-ready; `remux`: the same for a transport stream file the ' +
      'receiver serves by URL; `noop`: a canary job (admin only)',
  })
  @IsIn(JOB_KINDS)
  kind!: (typeof JOB_KINDS)[number];

  @ApiPropertyOptional({ pattern: '^[0-9a-f]{16}$', description: 'Recording id (kind `recording`)' })
  @ValidateIf((dto: JobCreateDto) => dto.kind === 'recording')
  @Matches(/^[0-9a-f]{16}$/)
  recordingId?: string;

  @ApiPropertyOptional({
    description:
      "Kind `remux`: the file's URL on the receiver (its web port's `/file?file=…` or its stream port)",
    maxLength: 2000,
    example: 'http://receiver/file?file=/media/hdd/movie/film.ts',
  })
  @ValidateIf((dto: JobCreateDto) => dto.kind === 'remux' && dto.sourceArtifactId === undefined)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  sourceUrl?: string;

  @ApiPropertyOptional({
    pattern: ARTIFACT_ID_PATTERN.source,
    description:
      'Kind `remux`, instead of `sourceUrl`: a transport stream uploaded with `POST /api/v1/artifacts`',
  })
  @IsOptional()
  @Matches(ARTIFACT_ID_PATTERN)
  sourceArtifactId?: string;

  @ApiPropertyOptional({ description: 'Kind `remux`: names the output file', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ type: JobOutputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobOutputDto)
  output?: JobOutputDto;

  @ApiPropertyOptional({
    enum: JOB_CLASSES,
    default: 'interactive',
    description: 'Who waits: a viewer (`live`), a user (`interactive`), nobody (`batch`)',
  })
  @IsOptional()
  @IsIn(JOB_CLASSES)
  class?: (typeof JOB_CLASSES)[number];

  @ApiPropertyOptional({
    enum: JOB_POOLS,
    description: 'Encoder pool; default `cpu` (video copied, or transcoded in software)',
  })
  @IsOptional()
  @IsIn(JOB_POOLS)
  pool?: (typeof JOB_POOLS)[number];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 10,
    maximum: JOB_LIMITS.maxTimeoutSec,
    description: 'Limit of one attempt; default: twice the recording plus 5 min',
  })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(JOB_LIMITS.maxTimeoutSec)
  timeoutSec?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: JOB_LIMITS.maxAttempts, default: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(JOB_LIMITS.maxAttempts)
  maxAttempts?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: JOB_LIMITS.maxNoopMs,
    description: 'Kind `noop`',
  })
  @ValidateIf((dto: JobCreateDto) => dto.kind === 'noop')
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(JOB_LIMITS.maxNoopMs)
  durationMs?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: JOB_LIMITS.maxAttempts,
    description: 'Kind `noop`: the first this many attempts fail with `failClass`',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(JOB_LIMITS.maxAttempts)
  failAttempts?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: JOB_LIMITS.maxNoopOutputBytes,
    description: 'Kind `noop`: a file of this many random bytes becomes its artefact',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(JOB_LIMITS.maxNoopOutputBytes)
  outputBytes?: number;

  @ApiPropertyOptional({ enum: FAILURE_CLASSES, default: 'runtime_error' })
  @IsOptional()
  @IsIn(FAILURE_CLASSES)
  failClass?: (typeof FAILURE_CLASSES)[number];
}

export class JobIdParam {
  @ApiProperty({ pattern: JOB_ID_PATTERN.source, example: 'job_01JDZ8Q5M6X4T2B9C3N7R0V1WK' })
  @Matches(JOB_ID_PATTERN)
  id!: string;
}

export class ArtifactIdParam {
  @ApiProperty({ pattern: ARTIFACT_ID_PATTERN.source, example: 'art_01JDZ8Q5M6X4T2B9C3N7R0V1WK' })
  @Matches(ARTIFACT_ID_PATTERN)
  id!: string;
}

export class JobListQuery {
  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: (typeof JOB_STATES)[number];

  @ApiPropertyOptional({ enum: JOB_KINDS })
  @IsOptional()
  @IsIn(JOB_KINDS)
  kind?: (typeof JOB_KINDS)[number];

  @ApiPropertyOptional({ description: 'Node that runs (or ran) the current attempt', maxLength: 200 })
  @IsOptional()
  @Matches(/^[\w.-]{1,200}$/)
  node?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @IntegerParam()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

class JobFailureDto {
  @ApiProperty({ enum: FAILURE_CLASSES }) class!: string;
  @ApiProperty({ example: 'RECEIVER_NOT_FOUND' }) code!: string;
  @ApiProperty() message!: string;
}

class JobProgressDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 1 }) fraction?: number;
  @ApiPropertyOptional({ description: 'Seconds of media done' }) mediaSeconds?: number;
  @ApiPropertyOptional({ description: 'Media seconds per second' }) speed?: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

class JobResultDto {
  @ApiProperty({ pattern: ARTIFACT_ID_PATTERN.source }) artifactId!: string;
  @ApiProperty({ example: 'Tatort.mp4' }) fileName!: string;
  @ApiProperty({ example: 'video/mp4' }) contentType!: string;
  @ApiProperty({ type: 'integer' }) sizeBytes!: number;
  @ApiPropertyOptional() durationSeconds?: number;
  @ApiProperty({ description: 'Download URL, signed: playable in a <video> element without a header' })
  url!: string;
}

export class JobDto {
  @ApiProperty({ pattern: JOB_ID_PATTERN.source }) id!: string;
  @ApiProperty({ enum: JOB_KINDS }) kind!: string;
  @ApiProperty({ enum: JOB_STATES }) state!: string;
  @ApiProperty({ enum: JOB_CLASSES }) class!: string;
  @ApiProperty({ enum: JOB_POOLS }) pool!: string;
  @ApiProperty({ type: 'integer', description: 'Current attempt, from 1' }) attempt!: number;
  @ApiProperty({ type: 'integer' }) maxAttempts!: number;
  @ApiProperty({ type: 'integer' }) timeoutSec!: number;
  @ApiPropertyOptional({ description: 'Node of the current attempt' }) node?: string;
  @ApiPropertyOptional({ description: 'What the job works on (recording or remux title)' }) title?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) queuedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When a job in retry_wait is due' })
  retryAt?: string;
  @ApiPropertyOptional({ type: JobProgressDto }) progress?: JobProgressDto;
  @ApiPropertyOptional({ type: JobFailureDto }) failure?: JobFailureDto;
  @ApiPropertyOptional({ type: JobResultDto }) result?: JobResultDto;
  @ApiPropertyOptional() reason?: string;
}

export class JobPageDto {
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: [JobDto], description: 'Newest first' }) items!: JobDto[];
}

export class ArtifactUploadQuery {
  @ApiPropertyOptional({ description: 'File name of the upload (names the remux output)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class ArtifactDto {
  @ApiProperty({ pattern: ARTIFACT_ID_PATTERN.source }) artifactId!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty({ example: 'video/mp2t' }) contentType!: string;
  @ApiProperty({ type: 'integer' }) sizeBytes!: number;
}
