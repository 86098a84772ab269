import { PassThrough, type Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { E2gateError, ErrorCode, errorMessage, isTerminal, type JobTransitionEvent } from '@e2gate/contracts';
import { eventText } from '../http/event-stream.js';
import { JobEventsRepository } from '../repositories/job-events.repository.js';
import { JobsService } from './jobs.service.js';

/** Event streams one replica keeps open at most. */
const MAX_STREAMS = 500;
const HEARTBEAT_MS = 15_000;
/** A finished job whose history shows no final transition (its writer died just after the write) ends after this. */
const FINISHED_REPLAY_MS = 2_000;

/**
 * `GET /api/v1/jobs/<id>/events` as server-sent events: `job` (the record now, and again at the end), every
 * `transition` since the job was created (replayed, then live), `progress` about once a second while it runs. The
 * stream ends after the job reaches a final state.
 */
@Injectable()
export class JobEventsService {
  private readonly logger = new Logger(JobEventsService.name);
  private open = 0;

  constructor(
    private readonly jobs: JobsService,
    private readonly events: JobEventsRepository,
  ) {}

  async stream(jobId: string): Promise<Readable> {
    if (this.open >= MAX_STREAMS) {
      throw new E2gateError(
        ErrorCode.Capacity,
        `this replica serves ${MAX_STREAMS} job event streams at most`,
        {
          retryAfterSeconds: 10,
        },
      );
    }
    const job = await this.jobs.record(jobId);
    const out = new PassThrough();
    let id = 0;
    const send = (event: string, data: unknown) => {
      if (!out.writableEnded) out.write(eventText(++id, event, data));
    };
    this.open++;
    const transitions = await this.events.transitions(jobId);
    const progress = await this.events.progress(jobId, (message) => send('progress', message));
    const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const finishedAlready = isTerminal(job.state)
      ? setTimeout(() => void this.finish(jobId, send, out), FINISHED_REPLAY_MS)
      : null;
    out.once('close', () => {
      this.open--;
      clearInterval(heartbeat);
      if (finishedAlready) clearTimeout(finishedAlready);
      transitions.stop();
      progress.unsubscribe();
    });
    send('job', this.jobs.dto(job));
    void this.relay(jobId, transitions, send, out);
    return out;
  }

  private async relay(
    jobId: string,
    transitions: AsyncIterable<JobTransitionEvent>,
    send: (event: string, data: unknown) => void,
    out: PassThrough,
  ): Promise<void> {
    try {
      for await (const transition of transitions) {
        send('transition', transition);
        // A final state in the history may have been left since (a failed job retried): the record decides.
        if (isTerminal(transition.to) && isTerminal((await this.jobs.record(jobId)).state)) {
          return await this.finish(jobId, send, out);
        }
      }
    } catch (error) {
      this.logger.warn(`job ${jobId} events: ${errorMessage(error)}`);
      out.end();
    }
  }

  /** The final record, then the end of the stream. */
  private async finish(jobId: string, send: (event: string, data: unknown) => void, out: PassThrough) {
    if (out.writableEnded) return;
    const job = await this.jobs.record(jobId).catch(() => null);
    if (job) send('job', this.jobs.dto(job));
    out.end();
  }
}
