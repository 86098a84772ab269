import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { JetStreamApiError } from '@nats-io/jetstream';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import {
  E2gateError,
  ErrorCode,
  errorMessage,
  HttpEdgeErrorCode,
  JobConflict,
  moveJob,
  newJobId,
  type JobOutputSpec,
  type JobPool,
  type JobRecord,
  type JobSpec,
} from '@e2gate/contracts';
import { JobStore } from '@e2gate/nats';
import { ClockRepository } from '@e2gate/observability';
import type { Principal } from '../auth/principal.js';
import type { JobCreateDto, JobDto, JobListQuery, JobPageDto } from '../dto/job.dto.js';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import { JobApiMetrics } from '../metrics/job-api.metrics.js';
import { ArtifactStoreRepository } from '../repositories/artifact-store.repository.js';
import { TranscoderRepository } from '../repositories/transcoder.repository.js';
import { ArtifactsService } from './artifacts.service.js';
import { CredentialsService } from './credentials.service.js';
import { jobDto } from './job-dto.js';
import { JobViewService } from './job-view.service.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';

const DEFAULT_PAGE = 50;
const DEFAULT_ATTEMPTS = 3;
/** A recording of unknown length gets six hours per attempt. */
const UNKNOWN_LENGTH_TIMEOUT_SEC = 6 * 3600;
const SWEEP_MS = 5_000;
/** A queued job without a confirmed queue message this long after queueing is published again. */
const REDISPATCH_AFTER_MS = 30_000;
/** JetStream: the work queue is at `max_msgs` / `max_bytes` and discards new messages. */
const STREAM_FULL_CODES = new Set([10077, 10047]);

export interface SubmitOutcome {
  job: JobDto;
  /** False when an idempotency key returned the job an earlier request made. */
  created: boolean;
}

/**
 * The job API's decisions: submit (validated spec, queue bound, idempotency key), cancel, retry, and the sweeper
 * that rejects jobs no node can run. Every change goes through the job store's compare-and-set.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly store: JobStore,
    private readonly view: JobViewService,
    private readonly follower: SnapshotFollowerService,
    private readonly transcoders: TranscoderRepository,
    private readonly credentials: CredentialsService,
    private readonly artifacts: ArtifactStoreRepository,
    private readonly uploads: ArtifactsService,
    private readonly metrics: JobApiMetrics,
    private readonly clock: ClockRepository,
  ) {
    metrics.readFrom(view.index, () => clock.nowMs());
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async submit(
    dto: JobCreateDto,
    principal: Principal | undefined,
    idempotencyKey?: string,
  ): Promise<SubmitOutcome> {
    try {
      const outcome = await this.submitOnce(dto, principal, idempotencyKey);
      this.metrics.submitted(dto.kind, outcome.created ? 'created' : 'replayed');
      return outcome;
    } catch (error) {
      this.metrics.submitted(dto.kind, (error as { code?: string }).code ?? 'INTERNAL');
      throw error;
    }
  }

  private async submitOnce(
    dto: JobCreateDto,
    principal: Principal | undefined,
    idempotencyKey?: string,
  ): Promise<SubmitOutcome> {
    if (dto.kind === 'noop' && !principal?.scopes.has('admin')) {
      throw new GatewayHttpError(HttpEdgeErrorCode.Forbidden, 'noop jobs need the admin scope');
    }
    if (dto.kind === 'remux') await this.checkRemuxSource(dto);
    const job = this.newRecord(dto, principal);
    if (this.view.index.waiting(job.class) >= this.config.jobs.queueMaxPerClass) {
      throw new E2gateError(ErrorCode.JobQueueFull, `the ${job.class} queue holds its limit of jobs`, {
        retryAfterSeconds: 30,
      });
    }
    const idem = idempotencyKey === undefined ? null : idempotencyDigests(principal, idempotencyKey, dto);
    if (idem) {
      const earlier = await this.store.claimIdempotencyKey(idem.key, {
        jobId: job.id,
        requestDigest: idem.request,
      });
      if (earlier) {
        if (earlier.requestDigest !== idem.request) {
          throw new E2gateError(
            ErrorCode.IdempotencyKeyReused,
            'this Idempotency-Key was used for another request',
          );
        }
        return { job: this.dto(await this.awaitRecord(earlier.jobId)), created: false };
      }
    }
    try {
      await this.store.create(job);
    } catch (error) {
      if (idem) await this.store.releaseIdempotencyKey(idem.key);
      throw error;
    }
    await this.enqueue(job, idem?.key);
    return { job: this.dto((await this.store.get(job.id))?.job ?? job), created: true };
  }

  list(query: JobListQuery): JobPageDto {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_PAGE;
    const page = this.view.index.page({ ...query, offset, limit });
    return { total: page.total, offset, limit, items: page.items.map((job) => this.dto(job)) };
  }

  async one(jobId: string): Promise<JobDto> {
    return this.dto(await this.record(jobId));
  }

  async record(jobId: string): Promise<JobRecord> {
    const stored = await this.store.get(jobId);
    if (!stored) throw new E2gateError(ErrorCode.NotFound, `no job ${jobId}`);
    return stored.job;
  }

  /** Queued jobs end at once; running ones are asked to stop (push) and see it on their next lease renewal (pull). */
  async cancel(jobId: string, principal: Principal | undefined): Promise<JobDto> {
    const reason = `canceled by ${principal?.name ?? 'anonymous'}`;
    const now = this.nowIso();
    const changed = await this.decide(jobId, (job) => {
      if (job.state === 'canceled' || job.state === 'cancel_requested') return null;
      if (job.state === 'queued' || job.state === 'retry_wait') {
        return moveJob(job, 'canceled', { finishedAt: now, reason });
      }
      return moveJob(job, 'cancel_requested', { reason });
    });
    if (changed.state === 'canceled' && changed.dispatchSeq !== undefined) {
      await this.store.removeDispatch(changed.dispatchSeq);
    }
    if (changed.state === 'cancel_requested') await this.store.signalCancel(jobId);
    this.metrics.canceled();
    return this.dto(changed);
  }

  /** A failed job gets a new attempt (and its full attempt budget back). */
  async retry(jobId: string): Promise<JobDto> {
    const now = this.nowIso();
    const job = await this.decide(jobId, (stored) => {
      if (stored.state !== 'failed') throw new JobConflict(stored, 'queued');
      return {
        ...moveJob(stored, 'queued', { queuedAt: now, reason: 'retried by request' }),
        attempt: stored.attempt + 1,
        maxAttempts: stored.attempt + stored.maxAttempts,
        failure: undefined,
        finishedAt: undefined,
        leaseId: undefined,
        nodeId: undefined,
        bootId: undefined,
        progress: undefined,
      };
    });
    await this.enqueue(job);
    return this.dto((await this.store.get(jobId))?.job ?? job);
  }

  dto(job: JobRecord): JobDto {
    return jobDto(job, (path, ttlSeconds) => {
      const exp = Math.ceil(this.clock.nowMs() / 1000) + ttlSeconds;
      return `${path}?${this.credentials.signer.query('stream', path, exp)}`;
    });
  }

  private newRecord(dto: JobCreateDto, principal: Principal | undefined): JobRecord {
    const now = this.nowIso();
    const spec = this.spec(dto);
    return {
      id: newJobId(this.clock.nowMs()),
      kind: dto.kind,
      spec,
      class: dto.class ?? 'interactive',
      pool: dto.pool ?? 'cpu',
      state: 'queued',
      attempt: 1,
      maxAttempts: dto.maxAttempts ?? DEFAULT_ATTEMPTS,
      timeoutSec: dto.timeoutSec ?? defaultTimeout(spec),
      createdAt: now,
      queuedAt: now,
      ...(principal ? { owner: principal.name } : {}),
    };
  }

  private spec(dto: JobCreateDto): JobSpec {
    if (dto.kind === 'noop') {
      return {
        kind: 'noop',
        durationMs: dto.durationMs ?? 0,
        failAttempts: dto.failAttempts ?? 0,
        failClass: dto.failClass ?? 'runtime_error',
        outputBytes: dto.outputBytes ?? 0,
      };
    }
    const output: JobOutputSpec = {
      format: dto.output?.format ?? 'mp4',
      video: dto.output?.video ?? 'auto',
      languages: dto.output?.languages ?? [],
    };
    if (dto.kind === 'remux') {
      if (dto.sourceArtifactId !== undefined) {
        const artifactId = dto.sourceArtifactId;
        return { kind: 'remux', source: { artifactId }, title: dto.title ?? artifactId, output };
      }
      const url = dto.sourceUrl as string;
      return { kind: 'remux', source: { url }, title: dto.title ?? titleOf(url), output };
    }
    const view = this.follower.current;
    if (!view) throw new E2gateError(ErrorCode.NoSnapshot, 'no catalog snapshot yet');
    const recording = view.snapshot.recordings?.find((r) => r.id === dto.recordingId);
    if (!recording)
      throw new E2gateError(ErrorCode.NotFound, `no recording ${JSON.stringify(dto.recordingId)}`);
    return {
      kind: 'recording',
      recording: {
        id: recording.id,
        file: recording.file,
        title: recording.title,
        ...(recording.durationSeconds === undefined ? {} : { durationSeconds: recording.durationSeconds }),
        ...(recording.sizeBytes === undefined ? {} : { sizeBytes: recording.sizeBytes }),
      },
      output,
    };
  }

  /** A remux reads one source: a receiver URL or an uploaded transport stream that exists. */
  private async checkRemuxSource(dto: JobCreateDto): Promise<void> {
    if (dto.sourceUrl !== undefined && dto.sourceArtifactId !== undefined) {
      throw new E2gateError(
        ErrorCode.ValidationFailed,
        'a remux reads sourceUrl or sourceArtifactId, not both',
      );
    }
    if (dto.sourceArtifactId !== undefined) await this.uploads.uploaded(dto.sourceArtifactId);
  }

  /** Publishes the job's current attempt; a refused publish fails the job (and frees its idempotency key). */
  private async enqueue(job: JobRecord, idempotencyDigest?: string): Promise<void> {
    let sequence: number;
    try {
      sequence = await this.store.dispatch(job);
    } catch (error) {
      const full = error instanceof JetStreamApiError && STREAM_FULL_CODES.has(error.code);
      const code = full ? ErrorCode.JobQueueFull : 'JOB_ENQUEUE_FAILED';
      const now = this.nowIso();
      await this.store
        .change(job.id, (stored) =>
          stored.state === 'queued' && stored.attempt === job.attempt
            ? moveJob(stored, 'failed', {
                finishedAt: now,
                failure: { class: 'platform_error', code, message: errorMessage(error) },
              })
            : null,
        )
        .catch(() => undefined);
      if (idempotencyDigest) await this.store.releaseIdempotencyKey(idempotencyDigest);
      if (full)
        throw new E2gateError(ErrorCode.JobQueueFull, 'the job queue is full', { retryAfterSeconds: 30 });
      throw new E2gateError(ErrorCode.Unavailable, `the job could not be queued: ${errorMessage(error)}`);
    }
    await this.recordDispatch(job, sequence);
  }

  /** Stores the queue message's sequence in the record (to delete the message if the job ends before a pull). */
  private async recordDispatch(job: JobRecord, sequence: number): Promise<void> {
    await this.store
      .change(job.id, (stored) =>
        stored.attempt === job.attempt && stored.dispatchSeq !== sequence
          ? { ...stored, dispatchSeq: sequence }
          : null,
      )
      .catch((error: unknown) =>
        this.logger.warn(`job ${job.id}: queue sequence not stored: ${errorMessage(error)}`),
      );
  }

  /** The job an idempotency key points at; a request that claimed the key a moment ago may still be writing it. */
  private async awaitRecord(jobId: string): Promise<JobRecord> {
    for (let tries = 0; tries < 20; tries++) {
      const stored = await this.store.get(jobId);
      if (stored) return stored.job;
      await sleep(50);
    }
    throw new E2gateError(
      ErrorCode.Unavailable,
      'the request with this Idempotency-Key is still being processed',
    );
  }

  private async decide(jobId: string, decide: (job: JobRecord) => JobRecord | null): Promise<JobRecord> {
    try {
      const stored = await this.store.change(jobId, decide);
      if (!stored) throw new E2gateError(ErrorCode.NotFound, `no job ${jobId}`);
      return stored.job;
    } catch (error) {
      if (error instanceof JobConflict) {
        throw new E2gateError(ErrorCode.JobStateConflict, `job ${jobId} is ${error.job.state}`);
      }
      throw error;
    }
  }

  /** Rejects queued jobs whose pool no live node has offered for the grace time; forgets aged-out records. */
  private async sweep(): Promise<void> {
    try {
      this.view.index.prune(this.clock.nowMs() - this.config.jobs.retentionMs);
      this.metrics.storedBytes(await this.artifacts.totalBytes());
      const nodes = await this.transcoders.nodes();
      const offered = new Set<JobPool>(nodes.flatMap((node) => (node.pools ?? ['cpu']) as JobPool[]));
      const now = this.nowIso();
      await this.redispatchUnqueued();
      for (const stranded of this.view.index.stranded(
        offered,
        this.clock.nowMs() - this.config.jobs.poolGraceMs,
      )) {
        const changed = await this.store.change(stranded.id, (job) =>
          job.state === 'queued' && !offered.has(job.pool)
            ? moveJob(job, 'rejected', {
                finishedAt: now,
                failure: {
                  class: 'capability_mismatch',
                  code: 'JOB_POOL_UNAVAILABLE',
                  message: `no node offers the ${job.pool} pool`,
                },
              })
            : null,
        );
        if (changed?.job.state === 'rejected' && changed.job.dispatchSeq !== undefined) {
          await this.store.removeDispatch(changed.job.dispatchSeq);
        }
      }
    } catch (error) {
      this.logger.warn(`job sweep failed: ${errorMessage(error)}`);
    }
  }

  /**
   * Queued jobs whose queue message was never confirmed (a gateway died between the record and the publish, or the
   * publish failed): published again. Within the queue's duplicate window the publish is dropped as a duplicate;
   * after it, a second message for the same attempt is harmless (the claim is a compare-and-set).
   */
  private async redispatchUnqueued(): Promise<void> {
    for (const job of this.view.index.undispatched(this.clock.nowMs() - REDISPATCH_AFTER_MS)) {
      try {
        await this.recordDispatch(job, await this.store.dispatch(job));
      } catch (error) {
        this.logger.warn(`job ${job.id}: queue message not published again: ${errorMessage(error)}`);
      }
    }
  }

  private nowIso(): string {
    return new Date(this.clock.nowMs()).toISOString();
  }
}

/** A source URL's file name without its extension: the `file` parameter's, else the path's last segment. */
function titleOf(url: string): string {
  const parsed = new URL(url);
  const path = parsed.searchParams.get('file') ?? parsed.pathname;
  const name = path.split('/').filter(Boolean).at(-1) ?? 'remux';
  return name.replace(/\.[^.]*$/, '') || 'remux';
}

function defaultTimeout(spec: JobSpec): number {
  if (spec.kind === 'noop') return Math.ceil(spec.durationMs / 1000) + 60;
  if (spec.kind === 'remux') return UNKNOWN_LENGTH_TIMEOUT_SEC;
  const seconds = spec.recording.durationSeconds;
  return seconds === undefined ? UNKNOWN_LENGTH_TIMEOUT_SEC : Math.ceil(2 * seconds) + 300;
}

/** The key's claim is per submitter; the request digest tells a retry from a different request with the same key. */
function idempotencyDigests(
  principal: Principal | undefined,
  key: string,
  dto: JobCreateDto,
): { key: string; request: string } {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  return { key: sha(`${principal?.name ?? 'anonymous'}\n${key}`), request: sha(JSON.stringify(dto)) };
}
