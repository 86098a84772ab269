import { Injectable } from '@nestjs/common';
import { DeliverPolicy } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { JobStream, JobSubject, type JobProgressMessage, type JobTransitionEvent } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

/** A job's transition history (replayed, then live) from `JOB_EVENTS`, and its ephemeral progress. */
@Injectable()
export class JobEventsRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  /** Every transition of the job so far, then each new one; `stop()` ends the iteration. */
  async transitions(jobId: string): Promise<AsyncIterable<JobTransitionEvent> & { stop(): void }> {
    const js = await this.nats.jetstream();
    const consumer = await js.consumers.get(JobStream.Events, {
      filter_subjects: JobSubject.events(jobId),
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume();
    return {
      stop: () => void messages.close(),
      async *[Symbol.asyncIterator]() {
        for await (const message of messages) yield message.json<JobTransitionEvent>();
      },
    };
  }

  async progress(jobId: string, onProgress: (message: JobProgressMessage) => void): Promise<Subscription> {
    const nc = await this.nats.connection();
    return nc.subscribe(JobSubject.progress(jobId), {
      callback: (error, msg) => {
        if (!error) onProgress(msg.json<JobProgressMessage>());
      },
    });
  }
}
