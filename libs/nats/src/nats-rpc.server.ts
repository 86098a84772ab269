import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, NatsContext, Server } from '@nestjs/microservices';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { ErrorCode, isErrorBody, type ErrorBody } from '@e2gate/contracts';
import type { NatsConnectionService } from './nats-connection.service.js';
import { CORRELATION_HEADER, decodeJson, encodeJson } from './rpc-envelope.js';

export interface NatsRpcServerOptions {
  /** Queue group for request handlers (one replica answers each request). Event handlers get no queue. */
  queue?: string;
  /** Upper bound of requests handled at once; the rest are answered `UNAVAILABLE` instead of queueing forever. */
  maxInFlight?: number;
}

/**
 * Nest transport strategy on the process-wide NATS connection (the stock one opens its own connection and
 * speaks Nest's packet format). Handlers keep Nest's pipes, guards, interceptors and filters.
 */
export class NatsRpcServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(NatsRpcServer.name);
  private readonly subscriptions: Subscription[] = [];
  private inFlight = 0;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly options: NatsRpcServerOptions = {},
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const nc = await this.nats.connection();
      for (const [subject, handler] of this.messageHandlers) {
        const queue =
          (handler.extras?.['queue'] as string | undefined) ??
          (handler.isEventHandler ? undefined : this.options.queue);
        this.subscriptions.push(
          nc.subscribe(subject, {
            ...(queue ? { queue } : {}),
            callback: (error, msg) => {
              if (error) return this.log.error(`subscription ${subject} failed: ${error.message}`);
              void this.dispatch(subject, msg);
            },
          }),
        );
      }
      // The server knows every subscription before the app reports itself started (no "no responders" race).
      await nc.flush();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  close(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }

  on(): void {
    // Connection events are tracked by NatsConnectionService.
  }

  unwrap<T>(): T {
    return this.nats as T;
  }

  private async dispatch(subject: string, msg: Msg): Promise<void> {
    const correlationId = msg.headers?.get(CORRELATION_HEADER) || randomUUID();
    const context = new NatsContext([msg.subject, msg.headers]);
    let payload: unknown;
    try {
      payload = decodeJson(msg.data);
    } catch {
      return this.reply(msg, correlationId, {
        ok: false,
        error: { code: ErrorCode.BadRequest, message: 'payload is not valid JSON' },
      });
    }
    const handler = this.getHandlerByPattern(subject);
    if (!handler) return;
    if (handler.isEventHandler || !msg.reply) {
      await this.handleEvent(subject, { pattern: subject, data: payload }, context);
      return;
    }
    const limit = this.options.maxInFlight ?? 256;
    if (this.inFlight >= limit) {
      return this.reply(msg, correlationId, {
        ok: false,
        error: { code: ErrorCode.Unavailable, message: `too many requests in flight (${limit})` },
      });
    }
    this.inFlight++;
    this.handleRequest(
      context,
      async () => this.transformToObservable(await handler(payload, context)),
      (packet) => {
        if (packet.isDisposed) this.inFlight--;
        if (packet.err !== undefined) {
          return this.reply(msg, correlationId, { ok: false, error: toErrorBody(packet.err) });
        }
        // A handler that completes without a value still answers, so callers never wait for a timeout.
        return this.reply(msg, correlationId, { ok: true, data: packet.response ?? null });
      },
    );
  }

  private reply(msg: Msg, correlationId: string, body: unknown): void {
    const headers = natsHeaders();
    headers.set(CORRELATION_HEADER, correlationId);
    msg.respond(encodeJson(body), { headers });
  }
}

function toErrorBody(error: unknown): ErrorBody {
  if (isErrorBody(error)) return error;
  return { code: ErrorCode.Internal, message: 'internal error' };
}
