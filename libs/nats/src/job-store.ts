import { Injectable } from '@nestjs/common';
import type { KV, KvEntry } from '@nats-io/kv';
import {
  Bucket,
  idempotencyKey,
  jobKey,
  JobStream,
  JobSubject,
  type JobControlMessage,
  type JobDispatchMessage,
  type JobRecord,
  type JobTransitionEvent,
} from '@e2gate/contracts';
import { isKvRevisionConflict } from './nats-errors.js';
import { NatsConnectionService } from './nats-connection.service.js';

export interface StoredJob {
  job: JobRecord;
  revision: number;
}

/** What an idempotency key stands for: the job it made and a digest of the request that made it. */
export interface IdempotencyClaim {
  jobId: string;
  requestDigest: string;
}

/** A job's record changed by compare-and-set: the decision, given the stored record, or null for "leave it". */
export type JobDecision = (job: JobRecord) => JobRecord | null;

/** Revision conflicts tolerated in one change before giving up (each one means someone else just wrote). */
const MAX_CAS_TRIES = 16;

/**
 * The job records (`jobs` KV), the work queue (`JOBS`) and the transition history (`JOB_EVENTS`): the one place
 * that reads and writes them, for the gateway (submit, cancel, retry) and the transcoders (claim, run, finish).
 * Every record change is a compare-and-set on the revision it was decided from, and appends one transition event
 * (deduplicated by the revision, so a repeated append is harmless).
 */
@Injectable()
export class JobStore {
  constructor(private readonly nats: NatsConnectionService) {}

  async get(jobId: string): Promise<StoredJob | null> {
    const entry = await (await this.kv()).get(jobKey(jobId));
    return storedJob(entry);
  }

  /** Stores a new record; false when the id exists. */
  async create(job: JobRecord): Promise<number | null> {
    try {
      const revision = await (await this.kv()).create(jobKey(job.id), JSON.stringify(job));
      await this.appendEvent(
        { jobId: job.id, from: null, to: job.state, at: job.createdAt, attempt: job.attempt },
        revision,
      );
      return revision;
    } catch (error) {
      if (isKvRevisionConflict(error)) return null;
      throw error;
    }
  }

  /**
   * Reads the record, asks `decide` for the next one and writes it only if nobody wrote in between; on a conflict
   * it reads again and asks again. Null when the job does not exist; the stored record when `decide` left it.
   * A `JobConflict` thrown by `decide` reaches the caller.
   */
  async change(jobId: string, decide: JobDecision, reason?: string): Promise<StoredJob | null> {
    const kv = await this.kv();
    for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
      const current = storedJob(await kv.get(jobKey(jobId)));
      if (!current) return null;
      const next = decide(current.job);
      if (!next) return current;
      let revision: number;
      try {
        revision = await kv.update(jobKey(jobId), JSON.stringify(next), current.revision);
      } catch (error) {
        if (isKvRevisionConflict(error)) continue;
        throw error;
      }
      if (next.state !== current.job.state || next.attempt !== current.job.attempt) {
        await this.appendEvent(
          {
            jobId,
            from: current.job.state,
            to: next.state,
            at: new Date().toISOString(),
            attempt: next.attempt,
            ...(next.nodeId === undefined ? {} : { nodeId: next.nodeId }),
            ...(reason === undefined && next.reason === undefined ? {} : { reason: reason ?? next.reason }),
          },
          revision,
        ).catch(() => undefined);
      }
      return { job: next, revision };
    }
    throw new Error(`job ${jobId}: ${MAX_CAS_TRIES} concurrent writers in a row`);
  }

  /** Enqueues the job's current attempt; returns the message's stream sequence. Throws when the queue is full. */
  async dispatch(job: JobRecord): Promise<number> {
    const message: JobDispatchMessage = { jobId: job.id, attempt: job.attempt };
    const ack = await (
      await this.nats.jetstream()
    ).publish(JobSubject.dispatch(job.pool, job.class), JSON.stringify(message), {
      msgID: `${job.id}:${job.attempt}`,
    });
    (await this.nats.connection()).publish(JobSubject.doorbell(job.pool));
    return ack.seq;
  }

  /** Tells the node running the job to stop it now (the push half of cancellation; workers also re-read). */
  async signalCancel(jobId: string): Promise<void> {
    const message: JobControlMessage = { jobId, action: 'cancel' };
    (await this.nats.connection()).publish(JobSubject.control(jobId), JSON.stringify(message));
  }

  /** Removes a queue message nobody needs any more (its job ended before a worker pulled it). */
  async removeDispatch(sequence: number): Promise<void> {
    await (await this.nats.jsm()).streams.deleteMessage(JobStream.Jobs, sequence, false).catch(() => false);
  }

  /** Records the key's job unless the key is taken; returns the existing claim when it is. */
  async claimIdempotencyKey(digest: string, claim: IdempotencyClaim): Promise<IdempotencyClaim | null> {
    const kv = await this.kv();
    try {
      await kv.create(idempotencyKey(digest), JSON.stringify(claim));
      return null;
    } catch (error) {
      if (!isKvRevisionConflict(error)) throw error;
    }
    const entry = await kv.get(idempotencyKey(digest));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
    return entry.json<IdempotencyClaim>();
  }

  async releaseIdempotencyKey(digest: string): Promise<void> {
    await (await this.kv()).delete(idempotencyKey(digest)).catch(() => undefined);
  }

  /** Every job record, then every change as it happens (the gateway's in-memory view). */
  async watch(): Promise<AsyncIterable<KvEntry> & { stop(): void }> {
    return (await this.kv()).watch({ key: jobKey('>') });
  }

  async appendEvent(event: JobTransitionEvent, revision: number): Promise<void> {
    await (
      await this.nats.jetstream()
    ).publish(JobSubject.event(event.jobId, event.to), JSON.stringify(event), {
      msgID: `${event.jobId}:${revision}`,
    });
  }

  private async kv(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.Jobs);
  }
}

function storedJob(entry: KvEntry | null): StoredJob | null {
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
  return { job: entry.json<JobRecord>(), revision: entry.revision };
}
