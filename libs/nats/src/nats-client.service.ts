import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { errors, headers as natsHeaders, type Subscription } from '@nats-io/transport-node';
import {
  E2gateError,
  ErrorCode,
  isErrorBody,
  isKnownErrorCode,
  type EventContracts,
  type EventSubject,
  type ReplyOf,
  type RequestOf,
  type RequestSubject,
} from '@e2gate/contracts';
import { NatsConnectionService } from './nats-connection.service.js';
import { CORRELATION_HEADER, decodeJson, encodeJson, type RpcReply } from './rpc-envelope.js';

export interface RequestOptions {
  timeoutMs?: number;
  correlationId?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Typed request/reply and events over the subject registry of `@e2gate/contracts`. */
@Injectable()
export class NatsClientService {
  constructor(private readonly nats: NatsConnectionService) {}

  async request<S extends RequestSubject>(
    subject: S,
    payload: RequestOf<S>,
    options: RequestOptions = {},
  ): Promise<ReplyOf<S>> {
    if (this.nats.isDown) {
      // nats.js would buffer the request until a reconnect and let it time out: callers learn nothing for seconds.
      throw new E2gateError(ErrorCode.Unavailable, `NATS is ${this.nats.state}: ${subject} not sent`);
    }
    const nc = await this.nats.connection();
    const headers = natsHeaders();
    headers.set(CORRELATION_HEADER, options.correlationId ?? randomUUID());
    let reply;
    try {
      reply = await nc.request(subject, encodeJson(payload), {
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        headers,
      });
    } catch (error) {
      throw translateTransportError(subject, error);
    }
    return unwrapReply<ReplyOf<S>>(subject, decodeJson(reply.data));
  }

  async publish<S extends EventSubject>(subject: S, event: EventContracts[S]): Promise<void> {
    const nc = await this.nats.connection();
    nc.publish(subject, encodeJson(event));
  }

  /** Plain subscription for code outside Nest handlers (tests, tools). */
  async subscribe<S extends EventSubject>(
    subject: S,
    onEvent: (event: EventContracts[S]) => void,
  ): Promise<Subscription> {
    const nc = await this.nats.connection();
    return nc.subscribe(subject, {
      callback: (error, msg) => {
        if (!error) onEvent(decodeJson(msg.data) as EventContracts[S]);
      },
    });
  }
}

/** Nobody subscribes to the subject: the service that answers it is not running (a 503 of its own). */
export class NoResponderError extends E2gateError {
  constructor(readonly subject: string) {
    super(ErrorCode.Unavailable, `no service answers ${subject}`);
  }
}

function translateTransportError(subject: string, error: unknown): E2gateError {
  if (error instanceof errors.RequestError && error.isNoResponders()) {
    return new NoResponderError(subject);
  }
  if (error instanceof errors.TimeoutError || (error instanceof Error && error.name === 'TimeoutError')) {
    return new E2gateError(ErrorCode.Timeout, `${subject} did not answer in time`);
  }
  return new E2gateError(ErrorCode.Unavailable, `${subject} failed: ${(error as Error).message}`);
}

export function unwrapReply<T>(subject: string, body: unknown): T {
  const reply = body as RpcReply<T>;
  if (reply && reply.ok === true) return reply.data;
  if (reply && reply.ok === false && isErrorBody(reply.error)) {
    const code = isKnownErrorCode(reply.error.code) ? reply.error.code : ErrorCode.Internal;
    throw new E2gateError(code, reply.error.message, reply.error.details);
  }
  throw new E2gateError(ErrorCode.Internal, `malformed reply on ${subject}`);
}
