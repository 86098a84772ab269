import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Subscription } from '@nats-io/transport-node';
import {
  E2gateError,
  errorMessage,
  ErrorCode,
  nodeOpenSubject,
  nodePingSubject,
  isErrorBody,
  Subject,
  TranscoderSessionOpenRequest,
  type ErrorBody,
  type TranscoderSessionOpenReply,
} from '@e2gate/contracts';
import {
  createRpcValidationPipe,
  decodeJson,
  encodeJson,
  NatsConnectionService,
  unwrapReply,
} from '@e2gate/nats';

const HAND_OFF_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 1_000;

/**
 * This node's own subjects: opens handed over by a full node, and the ping that tells others it still runs. Also
 * the client side of both. Core NATS: a node that died has no subscriptions, so a ping gets "no responders" at once.
 */
@Injectable()
export class NodeInboxRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(NodeInboxRepository.name);
  private readonly subscriptions: Subscription[] = [];
  private readonly validate = createRpcValidationPipe();

  constructor(private readonly nats: NatsConnectionService) {}

  /** Serves this node's subjects; `open` runs a handed-over open here (never handing it on again). */
  async serve(
    nodeId: string,
    open: (request: TranscoderSessionOpenRequest) => Promise<TranscoderSessionOpenReply>,
  ): Promise<void> {
    const nc = await this.nats.connection();
    this.subscriptions.push(
      nc.subscribe(nodePingSubject(nodeId), {
        callback: (_error, msg) => {
          msg.respond(encodeJson({ ok: true, data: {} }));
        },
      }),
      nc.subscribe(nodeOpenSubject(nodeId), {
        callback: (_error, msg) => {
          void this.answer(decodeJson(msg.data), open).then((reply) => msg.respond(encodeJson(reply)));
        },
      }),
    );
    await nc.flush();
  }

  /** Whether a node still runs (answers its ping). */
  async alive(nodeId: string): Promise<boolean> {
    const nc = await this.nats.connection();
    try {
      await nc.request(nodePingSubject(nodeId), encodeJson({}), { timeout: PING_TIMEOUT_MS });
      return true;
    } catch {
      return false;
    }
  }

  async handOff(nodeId: string, request: TranscoderSessionOpenRequest): Promise<TranscoderSessionOpenReply> {
    const nc = await this.nats.connection();
    try {
      const reply = await nc.request(nodeOpenSubject(nodeId), encodeJson(request), {
        timeout: HAND_OFF_TIMEOUT_MS,
      });
      return unwrapReply<TranscoderSessionOpenReply>(
        Subject.TranscoderCmdSessionOpen,
        decodeJson(reply.data),
      );
    } catch (error) {
      if (error instanceof E2gateError) throw error;
      throw new E2gateError(
        ErrorCode.Unavailable,
        `node ${nodeId} did not take the session: ${errorMessage(error)}`,
      );
    }
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  private async answer(
    payload: unknown,
    open: (request: TranscoderSessionOpenRequest) => Promise<TranscoderSessionOpenReply>,
  ): Promise<unknown> {
    try {
      const request = (await this.validate.transform(payload, {
        type: 'body',
        metatype: TranscoderSessionOpenRequest,
      })) as TranscoderSessionOpenRequest;
      return { ok: true, data: await open(request) };
    } catch (error) {
      const body = errorBodyOf(error);
      this.logger.warn(`handed-over open failed: ${body.code} ${body.message}`);
      return { ok: false, error: body };
    }
  }
}

function errorBodyOf(error: unknown): ErrorBody {
  if (error instanceof E2gateError) return error.toBody();
  if (error instanceof RpcException && isErrorBody(error.getError())) return error.getError() as ErrorBody;
  return { code: ErrorCode.Internal, message: errorMessage(error) };
}
