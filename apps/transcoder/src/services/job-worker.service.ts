import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import { APP_CONFIG, type TranscoderConfig } from '@e2gate/config';
import {
  decideDelivery,
  errorMessage,
  holds,
  isTerminal,
  JOB_CLASSES,
  JobSubject,
  moveJob,
  newArtifactId,
  planRetry,
  requeueJob,
  type AttemptLease,
  type DeliveryDecision,
  type JobFailure,
  type JobKind,
  type JobPool,
  type JobProgress,
  type JobRecord,
} from '@e2gate/contracts';
import { JobStore, NatsConnectionService } from '@e2gate/nats';
import { ClockRepository } from '@e2gate/observability';
import { JobMetrics } from '../metrics/job.metrics.js';
import { ArtifactStoreRepository } from '../repositories/artifact-store.repository.js';
import { JobQueueRepository, type QueueDelivery } from '../repositories/job-queue.repository.js';
import { artifactsToDrop, isOrphan } from './artifact-retention.js';
import { JobClassPicker } from './job-class-picker.js';
import { classifyFailure, type StopReason } from './job-failure.js';
import type { JobRunner, JobRunOutput } from './job-runner.js';
import { NodeRegistryService } from './node-registry.service.js';
import { NoopRunner } from './noop-runner.js';
import { MediaFileRunner } from './media-file-runner.js';

/** How long an idle worker waits for the doorbell before it looks at the queues anyway (due retries). */
const IDLE_POLL_MS = 500;
/** Progress goes out at most this often on `jobs.progress.<id>`, and into the record this often. */
const PROGRESS_PUBLISH_MS = 1_000;
const PROGRESS_STORE_MS = 5_000;
/** A class nobody served for this long while it had work goes first. */
const AGING_MS = 30_000;
/** On shutdown, running jobs get this long to finish before they are handed back. */
const SHUTDOWN_FINISH_MS = 3_000;
/** How often (and at start) a node looks for artefacts that crashed attempts left behind. */
const ORPHAN_SWEEP_MS = 10 * 60_000;
/** An artefact younger than this is never an orphan (a margin: the holder check already protects one in flight). */
const ORPHAN_GRACE_MS = 5_000;

/** One attempt this node holds. */
interface HeldAttempt {
  lease: AttemptLease;
  abort: AbortController;
  stop: StopReason | null;
  artifact: string | null;
}

/**
 * A job worker (jobs.md §7–9): pulls the queues of the pools this node serves when it has a free slot, claims the
 * job by compare-and-set, runs it with a lease (renewed with `working()`, re-read for cancellation and fencing),
 * publishes progress, stores the output per attempt and promotes it by the success write, retries by failure class,
 * and hands its jobs back when the process stops.
 */
@Injectable()
export class JobWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobWorkerService.name);
  private readonly held = new Map<string, HeldAttempt>();
  /** Deliveries being decided or run (a slot is taken from the moment a message is pulled). */
  private busy = 0;
  private pools: JobPool[] = [];
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly subscriptions: Subscription[] = [];
  private readonly runners: Record<JobKind, JobRunner>;
  private readonly picker: JobClassPicker;
  private readonly running = new Set<Promise<void>>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: TranscoderConfig,
    private readonly store: JobStore,
    private readonly queue: JobQueueRepository,
    private readonly artifacts: ArtifactStoreRepository,
    private readonly registry: NodeRegistryService,
    private readonly nats: NatsConnectionService,
    private readonly clock: ClockRepository,
    private readonly metrics: JobMetrics,
    mediaFiles: MediaFileRunner,
  ) {
    this.runners = { noop: new NoopRunner(), recording: mediaFiles, remux: mediaFiles };
    this.picker = new JobClassPicker(AGING_MS, clock.monotonicMs());
  }

  async onApplicationBootstrap(): Promise<void> {
    this.registry.countJobsWith(() => this.held.size);
    this.pools = await this.registry.pools();
    this.loop = this.run();
  }

  /** Before NATS closes: stop pulling, let running jobs finish briefly, hand the rest back. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const finished = Promise.all(this.running);
    const timedOut = await Promise.race([
      finished.then(() => false),
      sleep(SHUTDOWN_FINISH_MS).then(() => true),
    ]);
    if (timedOut) {
      for (const attempt of this.held.values()) this.stopAttempt(attempt, 'shutdown');
      await finished;
    }
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Jobs this node runs now. */
  get runningJobs(): number {
    return this.held.size;
  }

  private async run(): Promise<void> {
    let ready = false;
    while (!this.stopping) {
      try {
        if (!ready) {
          await this.connect();
          ready = true;
        }
        if (this.freeSlots() <= 0 || !(await this.pullOne())) await this.idle();
      } catch (error) {
        if (this.stopping) return;
        this.logger.warn(`job queue: ${errorMessage(error)}`);
        ready = ready && !this.nats.isDown;
        await sleep(IDLE_POLL_MS);
      }
    }
  }

  private async connect(): Promise<void> {
    await this.queue.ensureConsumers(this.pools, JOB_CLASSES, {
      leaseMs: this.config.jobs.leaseMs,
      maxAckPending: 1_000,
      maxDeliveries: this.config.jobs.maxDeliveries,
    });
    if (!this.sweeper) {
      void this.sweepOrphans();
      this.sweeper = setInterval(() => void this.sweepOrphans(), ORPHAN_SWEEP_MS);
      this.sweeper.unref();
    }
    if (this.subscriptions.length === 0) {
      this.subscriptions.push(...(await this.queue.onDoorbell(this.pools, () => this.wake?.())));
      this.subscriptions.push(await this.queue.onControl((message) => this.onControl(message.jobId)));
      this.subscriptions.push(await this.queue.onMaxDeliveries((advisory) => void this.deadLetter(advisory)));
    }
  }

  private freeSlots(): number {
    return this.config.jobs.slots - this.busy - this.registry.liveTranscodes();
  }

  /** Tries the classes in the picker's order (each pool of a class in turn); true when a message was pulled. */
  private async pullOne(): Promise<boolean> {
    const now = this.clock.monotonicMs();
    for (const jobClass of this.picker.order(this.freeSlots(), this.config.jobs.slots, now)) {
      for (const pool of this.pools) {
        const delivery = await this.queue.pull(pool, jobClass);
        if (!delivery) continue;
        this.picker.served(jobClass, now);
        this.track(this.handle(delivery));
        return true;
      }
      this.picker.served(jobClass, now);
    }
    return false;
  }

  private async idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, IDLE_POLL_MS);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      this.wake?.();
    });
  }

  private async handle(delivery: QueueDelivery): Promise<void> {
    this.busy++;
    try {
      const stored = await this.store.get(delivery.message.jobId);
      const holderAlive = await this.holderAlive(stored?.job ?? null);
      const context = { nowMs: this.clock.nowMs(), holderAlive, leaseMs: this.config.jobs.leaseMs };
      const decision = decideDelivery(stored?.job ?? null, context);
      if (decision.action !== 'claim') return await this.settleUnclaimed(delivery, decision);
      const claimed = await this.claim(delivery, context);
      if (claimed) await this.runAttempt(claimed, delivery);
    } catch (error) {
      this.logger.warn(`job ${delivery.message.jobId}: ${errorMessage(error)}`);
      delivery.nak(this.config.jobs.leaseMs);
    } finally {
      this.busy--;
    }
  }

  /**
   * Whether the node named by the record still runs it. This node knows without asking: an attempt it no longer
   * holds (its final write failed, NATS was away) must not wait for its own heartbeat to lapse.
   */
  private async holderAlive(job: JobRecord | null): Promise<boolean> {
    if (!job?.nodeId) return false;
    if (job.nodeId === this.registry.nodeId) return this.held.get(job.id)?.lease.leaseId === job.leaseId;
    return this.registry.isAlive(job.nodeId, job.bootId);
  }

  private async settleUnclaimed(
    delivery: QueueDelivery,
    decision: Exclude<DeliveryDecision, { action: 'claim' }>,
  ) {
    const jobId = delivery.message.jobId;
    const now = this.nowIso();
    switch (decision.action) {
      case 'term':
        delivery.term();
        return;
      case 'nak':
        delivery.nak(decision.delayMs);
        return;
      case 'cancel':
        await this.store.change(jobId, (job) =>
          job.state === 'cancel_requested' ? moveJob(job, 'canceled', { finishedAt: now }) : null,
        );
        this.metrics.finished('canceled');
        delivery.term();
        return;
      case 'fail':
        await this.store.change(jobId, (job) =>
          isTerminal(job.state)
            ? null
            : moveJob(job, 'failed', { finishedAt: now, failure: decision.failure }),
        );
        this.metrics.finished('failed', decision.failure.class);
        delivery.term();
        return;
    }
  }

  /** Claims the job for a new lease (after requeueing a due retry or a lost holder's attempt); null if it lost. */
  private async claim(
    delivery: QueueDelivery,
    context: { nowMs: number; holderAlive: boolean; leaseMs: number },
  ): Promise<JobRecord | null> {
    const leaseId = randomUUID();
    const now = this.nowIso();
    let lost: DeliveryDecision | null = null;
    const stored = await this.store.change(delivery.message.jobId, (job) => {
      const decision = decideDelivery(job, { ...context, nowMs: this.clock.nowMs() });
      if (decision.action !== 'claim') {
        lost = decision;
        return null;
      }
      lost = null;
      const fresh = decision.requeue
        ? requeueJob(job, now, decision.requeue.reason, decision.requeue.failure)
        : job;
      return moveJob(fresh, 'claimed', {
        leaseId,
        nodeId: this.registry.nodeId,
        bootId: this.registry.bootId,
        claimedAt: now,
        deadlineAt: new Date(this.clock.nowMs() + fresh.timeoutSec * 1000).toISOString(),
      });
    });
    if (!stored) {
      delivery.term();
      return null;
    }
    if (lost) {
      await this.settleUnclaimed(delivery, lost);
      return null;
    }
    this.metrics.claimed(stored.job, Math.max(0, this.clock.nowMs() - Date.parse(stored.job.queuedAt)));
    return stored.job;
  }

  private async runAttempt(claimed: JobRecord, delivery: QueueDelivery): Promise<void> {
    const lease: AttemptLease = { attempt: claimed.attempt, leaseId: claimed.leaseId as string };
    const attempt: HeldAttempt = { lease, abort: new AbortController(), stop: null, artifact: null };
    this.held.set(claimed.id, attempt);
    const startedAtMs = this.clock.monotonicMs();
    const workRoot = join(this.config.dataDir, 'job-work');
    await mkdir(workRoot, { recursive: true });
    const workDir = await mkdtemp(join(workRoot, `${claimed.id}-${claimed.attempt}-`));
    const renew = setInterval(
      () => void this.renew(claimed.id, attempt, delivery),
      this.config.jobs.leaseMs / 3,
    );
    const deadline = setTimeout(() => this.stopAttempt(attempt, 'timeout'), claimed.timeoutSec * 1000);
    try {
      const started = await this.store.change(claimed.id, (job) =>
        holds(job, lease) && job.state === 'claimed'
          ? moveJob(job, 'running', { startedAt: this.nowIso() })
          : null,
      );
      if (!started || !holds(started.job, lease)) return;
      if (started.job.state === 'cancel_requested') this.stopAttempt(attempt, 'canceled');
      const output = await this.runners[claimed.kind].run({
        job: started.job,
        signal: attempt.abort.signal,
        workDir,
        progress: this.progressReporter(claimed.id, attempt),
      });
      attempt.abort.signal.throwIfAborted();
      await this.succeed(claimed, attempt, output, delivery, () => discard(workDir));
    } catch (error) {
      await discard(workDir);
      await this.fail(claimed, attempt, error, delivery);
    } finally {
      clearInterval(renew);
      clearTimeout(deadline);
      this.held.delete(claimed.id);
      this.metrics.ran(claimed, (this.clock.monotonicMs() - startedAtMs) / 1000);
      await discard(workDir);
    }
  }

  /** Stores the output under a fresh artefact id, then promotes it by the success write; a fenced success is undone. */
  /** Stores the output and discards the attempt's directory, then writes the success (so nothing partial outlives it). */
  private async succeed(
    job: JobRecord,
    attempt: HeldAttempt,
    output: JobRunOutput,
    delivery: QueueDelivery,
    discardWork: () => Promise<void>,
  ) {
    let result: JobRecord['result'];
    if (output.file) {
      const artifactId = newArtifactId(this.clock.nowMs());
      attempt.artifact = artifactId;
      await this.makeRoom(output.file.path);
      const sizeBytes = await this.artifacts.put(artifactId, output.file.path, {
        jobId: job.id,
        attempt: String(attempt.lease.attempt),
        fileName: output.file.fileName,
        contentType: output.file.contentType,
      });
      result = {
        artifactId,
        fileName: output.file.fileName,
        contentType: output.file.contentType,
        sizeBytes,
        ...(output.file.durationSeconds === undefined
          ? {}
          : { durationSeconds: output.file.durationSeconds }),
      };
    }
    await discardWork();
    const now = this.nowIso();
    const stored = await this.store.change(job.id, (current) => {
      if (!holds(current, attempt.lease)) return null;
      if (current.state === 'cancel_requested') return moveJob(current, 'canceled', { finishedAt: now });
      return moveJob(current, 'succeeded', {
        finishedAt: now,
        progress: { fraction: 1, updatedAt: now },
        ...(result ? { result } : {}),
      });
    });
    const outcome = stored?.job;
    if (outcome?.state === 'succeeded' && outcome.leaseId === attempt.lease.leaseId) {
      this.metrics.finished('succeeded');
      delivery.ack();
      return;
    }
    if (attempt.artifact) await this.artifacts.remove(attempt.artifact);
    if (outcome?.state === 'canceled' && outcome.leaseId === attempt.lease.leaseId) {
      this.metrics.finished('canceled');
      delivery.term();
      return;
    }
    // Fenced: another attempt holds the job now; its delivery is not ours to settle.
    this.metrics.lateResultDropped();
    this.logger.warn(
      `job ${job.id}: attempt ${attempt.lease.attempt} finished after losing its lease; result dropped`,
    );
  }

  private async fail(
    job: JobRecord,
    attempt: HeldAttempt,
    error: unknown,
    delivery: QueueDelivery,
  ): Promise<void> {
    if (attempt.artifact) await this.artifacts.remove(attempt.artifact);
    if (attempt.stop === 'fenced') return;
    if (attempt.stop === 'shutdown') return this.handBack(job, attempt, delivery);
    const failure = classifyFailure(error, attempt.stop);
    const now = this.nowIso();
    let retryDelayMs = 0;
    const stored = await this.store.change(job.id, (current) => {
      if (!holds(current, attempt.lease)) return null;
      if (current.state === 'cancel_requested' || failure.class === 'canceled') {
        return moveJob(current, 'canceled', { finishedAt: now });
      }
      const plan = planRetry(current, failure.class, this.config.jobs.retryBaseMs);
      retryDelayMs = plan.delayMs;
      if (current.state === 'running' && plan.retry) {
        return moveJob(current, 'retry_wait', {
          failure,
          retryAt: new Date(this.clock.nowMs() + plan.delayMs).toISOString(),
        });
      }
      return moveJob(current, 'failed', { finishedAt: now, failure });
    });
    const outcome = stored?.job;
    if (!outcome || outcome.leaseId !== attempt.lease.leaseId || outcome.attempt !== attempt.lease.attempt)
      return;
    if (outcome.state === 'retry_wait') {
      this.metrics.retried(failure.class);
      delivery.nak(retryDelayMs);
      return;
    }
    if (outcome.state === 'canceled') this.metrics.finished('canceled');
    else this.metrics.finished('failed', (outcome.failure as JobFailure).class);
    delivery.term();
  }

  /** Gives a job back to the queue at once (this node stops): a new attempt that does not count against the job. */
  private async handBack(job: JobRecord, attempt: HeldAttempt, delivery: QueueDelivery): Promise<void> {
    const stored = await this.store.change(job.id, (current) => {
      if (!holds(current, attempt.lease) || current.state === 'cancel_requested') return null;
      const next = requeueJob(current, this.nowIso(), `node ${this.registry.nodeId} shut down`);
      return { ...next, maxAttempts: next.maxAttempts + 1 };
    });
    if (stored?.job.state === 'queued') delivery.nak(0);
    else delivery.nak(this.config.jobs.leaseMs);
  }

  /** Lease renewal: `working()` on the message, and a re-read of the record (cancellation, fencing, progress). */
  private async renew(jobId: string, attempt: HeldAttempt, delivery: QueueDelivery): Promise<void> {
    if (attempt.stop) return;
    delivery.working();
    try {
      const stored = await this.store.get(jobId);
      if (!stored || !holds(stored.job, attempt.lease)) this.stopAttempt(attempt, 'fenced');
      else if (stored.job.state === 'cancel_requested') this.stopAttempt(attempt, 'canceled');
    } catch (error) {
      this.logger.warn(`job ${jobId}: lease check failed: ${errorMessage(error)}`);
    }
  }

  private onControl(jobId: string): void {
    const attempt = this.held.get(jobId);
    if (attempt) this.stopAttempt(attempt, 'canceled');
  }

  private stopAttempt(attempt: HeldAttempt, reason: StopReason): void {
    if (attempt.stop) return;
    attempt.stop = reason;
    attempt.abort.abort(new Error(`attempt stopped: ${reason}`));
  }

  /** Publishes progress at most once a second and writes it into the record every few seconds (fenced). */
  private progressReporter(
    jobId: string,
    attempt: HeldAttempt,
  ): (progress: Omit<JobProgress, 'updatedAt'>) => void {
    let publishedAt = 0;
    let storedAt = this.clock.monotonicMs();
    return (progress) => {
      const now = this.clock.monotonicMs();
      if (now - publishedAt < PROGRESS_PUBLISH_MS) return;
      publishedAt = now;
      const stamped: JobProgress = { ...progress, updatedAt: this.nowIso() };
      void this.nats
        .connection()
        .then((nc) =>
          nc.publish(
            JobSubject.progress(jobId),
            JSON.stringify({ jobId, attempt: attempt.lease.attempt, progress: stamped }),
          ),
        )
        .catch(() => undefined);
      if (now - storedAt < PROGRESS_STORE_MS) return;
      storedAt = now;
      void this.store
        .change(jobId, (job) => (holds(job, attempt.lease) ? { ...job, progress: stamped } : null))
        .catch(() => undefined);
    };
  }

  /** Drops expired artefacts, then the oldest until the new file fits the store's budget. */
  private async makeRoom(path: string): Promise<void> {
    const incomingBytes = (await stat(path)).size;
    const keep = new Set([...this.held.values()].flatMap((a) => (a.artifact ? [a.artifact] : [])));
    const drop = artifactsToDrop(await this.artifacts.list(), {
      incomingBytes,
      maxBytes: this.config.jobs.artifactMaxBytes,
      expiredBeforeMs: this.clock.nowMs() - this.config.jobs.retentionMs,
      keep,
    });
    for (const name of drop) await this.artifacts.remove(name);
    this.metrics.artifactsDropped(drop.length);
  }

  /** Removes artefacts that attempts stored but never promoted (their worker died between the two writes). */
  async sweepOrphans(graceMs = ORPHAN_GRACE_MS): Promise<number> {
    let removed = 0;
    try {
      for (const artifact of await this.artifacts.list()) {
        if (artifact.jobId === undefined) continue;
        const job = (await this.store.get(artifact.jobId))?.job ?? null;
        if (!isOrphan(artifact, job, this.clock.nowMs(), graceMs)) continue;
        await this.artifacts.remove(artifact.name);
        removed++;
      }
      this.metrics.artifactsDropped(removed);
    } catch (error) {
      this.logger.warn(`orphan artefact sweep: ${errorMessage(error)}`);
    }
    return removed;
  }

  /** A queue message that exhausted its deliveries: dead-lettered, its job failed, the message removed. */
  private async deadLetter(advisory: { streamSequence: number; deliveries: number }): Promise<void> {
    try {
      const message = await this.queue.message(advisory.streamSequence);
      if (!message) return;
      await this.queue.deadLetter({ ...message, deliveries: advisory.deliveries });
      const now = this.nowIso();
      await this.store.change(message.jobId, (job) =>
        isTerminal(job.state)
          ? null
          : moveJob(job, 'failed', {
              finishedAt: now,
              failure: {
                class: 'platform_error',
                code: 'JOB_MAX_DELIVERIES',
                message: `the queue message was delivered ${advisory.deliveries} times`,
              },
            }),
      );
      await this.queue.remove(advisory.streamSequence);
      this.metrics.deadLettered();
    } catch (error) {
      this.logger.warn(`dead letter ${advisory.streamSequence}: ${errorMessage(error)}`);
    }
  }

  private nowIso(): string {
    return new Date(this.clock.nowMs()).toISOString();
  }
}

/** Removes an attempt's directory (idempotent; a failure to remove is not the job's failure). */
async function discard(workDir: string): Promise<void> {
  await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
}
