import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  JOB_ID_PATTERN,
  JOB_STATES,
  type JobControlMessage,
  type JobDispatchMessage,
  type JobProgress,
  type JobProgressMessage,
  type JobState,
  type JobTransitionEvent,
} from './jobs.js';

/**
 * The job messages on NATS as classes (docs/asyncapi.yaml is generated from them). Each implements the interface the
 * code uses, so a field added to one without the other does not compile.
 */

export class JobTransitionEventMessage implements JobTransitionEvent {
  @Matches(JOB_ID_PATTERN) jobId!: string;
  @IsOptional() @IsIn(JOB_STATES) from!: JobState | null;
  @IsIn(JOB_STATES) to!: JobState;
  /** ISO 8601 time of the transition. */
  @IsString() at!: string;
  @IsInt() @Min(1) attempt!: number;
  @IsOptional() @IsString() nodeId?: string;
  @IsOptional() @IsString() reason?: string;
}

export class JobProgressDto implements JobProgress {
  /** 0–1; absent while the length is unknown. */
  @IsOptional() @IsNumber() @Min(0) @Max(1) fraction?: number;
  /** Seconds of media done. */
  @IsOptional() @IsNumber() @Min(0) mediaSeconds?: number;
  /** Media seconds per wall-clock second. */
  @IsOptional() @IsNumber() @Min(0) speed?: number;
  @IsString() updatedAt!: string;
}

export class JobProgressEventMessage implements JobProgressMessage {
  @Matches(JOB_ID_PATTERN) jobId!: string;
  @IsInt() @Min(1) attempt!: number;
  @ValidateNested() @Type(() => JobProgressDto) progress!: JobProgressDto;
}

export class JobDispatchQueueMessage implements JobDispatchMessage {
  @Matches(JOB_ID_PATTERN) jobId!: string;
  @IsInt() @Min(1) attempt!: number;
}

export class JobControlCommandMessage implements JobControlMessage {
  @Matches(JOB_ID_PATTERN) jobId!: string;
  @IsIn(['cancel']) action!: 'cancel';
}

/** A message whose body carries nothing (a doorbell, a ping). */
export class EmptyMessage {}

export class JobDeadLetterMessage implements JobDispatchMessage {
  @Matches(JOB_ID_PATTERN) jobId!: string;
  @IsInt() @Min(1) attempt!: number;
  /** How often the queue delivered it before giving up. */
  @IsInt() @Min(1) deliveries!: number;
}
