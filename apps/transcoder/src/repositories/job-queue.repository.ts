import { Injectable } from '@nestjs/common';
import { AckPolicy, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  jobConsumerName,
  JobStream,
  JobSubject,
  type JobClass,
  type JobControlMessage,
  type JobDispatchMessage,
  type JobPool,
} from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

const NANOS_PER_MS = 1_000_000;
const PULL_TIMEOUT_MS = 2_000;

/** One delivery of a queue message, with the acknowledgements JetStream understands. */
export class QueueDelivery {
  readonly message: JobDispatchMessage;
  /** How often this message has been delivered (1 the first time). */
  readonly deliveries: number;
  readonly streamSequence: number;
  /** When the message was published (epoch ms): time in queue is claim time minus this. */
  readonly publishedAtMs: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly reply: string,
    data: Uint8Array,
  ) {
    this.message = JSON.parse(new TextDecoder().decode(data)) as JobDispatchMessage;
    // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>, or with
    // <domain>.<account hash> after ACK and a random token at the end (the newer form, 12 tokens).
    const tokens = reply.split('.');
    const at = tokens.length >= 12 ? 6 : 4;
    this.deliveries = Number(tokens[at]);
    this.streamSequence = Number(tokens[at + 1]);
    this.publishedAtMs = Number(BigInt(tokens[at + 3] ?? '0') / 1_000_000n);
  }

  /** Done: the work queue drops the message. */
  ack(): void {
    this.nc.publish(this.reply, '+ACK');
  }

  /** Still working: the ack deadline (the lease) starts over. */
  working(): void {
    this.nc.publish(this.reply, '+WPI');
  }

  /** Deliver again after the delay. */
  nak(delayMs: number): void {
    this.nc.publish(
      this.reply,
      `-NAK ${JSON.stringify({ delay: Math.max(0, Math.round(delayMs)) * NANOS_PER_MS })}`,
    );
  }

  /** Never deliver again (the job is over or gone). */
  term(): void {
    this.nc.publish(this.reply, '+TERM');
  }
}

export interface QueueConsumerSettings {
  /** The liveness lease: a delivery not acknowledged (or renewed) within it is delivered again. */
  leaseMs: number;
  /** Deliveries waiting for an acknowledgement at most, per consumer. */
  maxAckPending: number;
  /** Deliveries of one message before it is dead-lettered (claims, retry waits and lost holders all count). */
  maxDeliveries: number;
}

/**
 * The `JOBS` work queue as a worker sees it: one durable pull consumer per (pool, class), pulled one message at a
 * time without waiting (`no_wait`), so a worker with one free slot never holds a second job; the doorbell subject
 * wakes idle workers when something is queued; control messages stop running jobs; the max-deliveries advisory
 * reports messages that exhausted their deliveries.
 */
@Injectable()
export class JobQueueRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  /** Creates (or updates) the durable consumers of the pools this node serves. */
  async ensureConsumers(
    pools: readonly JobPool[],
    classes: readonly JobClass[],
    settings: QueueConsumerSettings,
  ): Promise<void> {
    const jsm = await this.nats.jsm();
    for (const pool of pools) {
      for (const jobClass of classes) {
        await upsertConsumer(jsm, pool, jobClass, settings);
      }
    }
  }

  /** The next message of one consumer, or null at once when there is none. */
  async pull(pool: JobPool, jobClass: JobClass): Promise<QueueDelivery | null> {
    const nc = await this.nats.connection();
    const subject = `$JS.API.CONSUMER.MSG.NEXT.${JobStream.Jobs}.${jobConsumerName(pool, jobClass)}`;
    // Its own inbox: a pulled message arrives under its stream subject, which the shared request inbox cannot route.
    const reply = await nc.request(subject, JSON.stringify({ batch: 1, no_wait: true }), {
      timeout: PULL_TIMEOUT_MS,
      noMux: true,
    });
    const status = reply.headers?.code ?? 0;
    if (status !== 0 || !reply.reply) return null;
    return new QueueDelivery(nc, reply.reply, reply.data);
  }

  /** Calls `wake` whenever a job is queued in one of the pools. */
  async onDoorbell(pools: readonly JobPool[], wake: () => void): Promise<Subscription[]> {
    const nc = await this.nats.connection();
    return pools.map((pool) => nc.subscribe(JobSubject.doorbell(pool), { callback: () => wake() }));
  }

  /** Calls `onControl` for every control message (each node checks whether it runs the job). */
  async onControl(onControl: (message: JobControlMessage) => void): Promise<Subscription> {
    const nc = await this.nats.connection();
    return nc.subscribe(JobSubject.controlAll, {
      callback: (error, msg) => {
        if (!error) onControl(parse<JobControlMessage>(msg));
      },
    });
  }

  /** Max-deliveries advisories of the `JOBS` consumers, each handled by one node (queue group). */
  async onMaxDeliveries(
    handle: (advisory: { streamSequence: number; deliveries: number }) => void,
  ): Promise<Subscription> {
    const nc = await this.nats.connection();
    return nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${JobStream.Jobs}.*`, {
      queue: 'transcoder-dead-letters',
      callback: (error, msg) => {
        if (error) return;
        const advisory = parse<{ stream_seq: number; deliveries: number }>(msg);
        handle({ streamSequence: advisory.stream_seq, deliveries: advisory.deliveries });
      },
    });
  }

  /** The queue message at a stream sequence (null when it is gone). */
  async message(streamSequence: number): Promise<JobDispatchMessage | null> {
    try {
      const stored = await (
        await this.nats.jsm()
      ).streams.getMessage(JobStream.Jobs, { seq: streamSequence });
      return stored ? stored.json<JobDispatchMessage>() : null;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) return null;
      throw error;
    }
  }

  async remove(streamSequence: number): Promise<void> {
    await (
      await this.nats.jsm()
    ).streams
      .deleteMessage(JobStream.Jobs, streamSequence, false)
      .catch(() => false);
  }

  async deadLetter(message: JobDispatchMessage & { deliveries: number }): Promise<void> {
    await (
      await this.nats.jetstream()
    ).publish(JobSubject.deadLetter(message.jobId), JSON.stringify(message), {
      msgID: `${message.jobId}:${message.attempt}`,
    });
  }

  /** Messages waiting per (pool, class): the queue-depth metric. */
  async depth(pool: JobPool, jobClass: JobClass): Promise<{ pending: number; inFlight: number }> {
    const info = await (
      await this.nats.jsm()
    ).consumers.info(JobStream.Jobs, jobConsumerName(pool, jobClass));
    return { pending: info.num_pending, inFlight: info.num_ack_pending };
  }
}

async function upsertConsumer(
  jsm: JetStreamManager,
  pool: JobPool,
  jobClass: JobClass,
  settings: QueueConsumerSettings,
): Promise<void> {
  const config = {
    durable_name: jobConsumerName(pool, jobClass),
    filter_subject: JobSubject.dispatch(pool, jobClass),
    ack_policy: AckPolicy.Explicit,
    ack_wait: settings.leaseMs * NANOS_PER_MS,
    max_deliver: settings.maxDeliveries,
    max_ack_pending: settings.maxAckPending,
  };
  try {
    await jsm.consumers.add(JobStream.Jobs, config);
  } catch (error) {
    // Another node created it with other settings (a different lease): the first one's settings stand.
    if (!(error instanceof JetStreamApiError)) throw error;
  }
}

function parse<T>(msg: Msg): T {
  return JSON.parse(new TextDecoder().decode(msg.data)) as T;
}
