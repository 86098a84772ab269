import {
  Controller,
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from '@nats-io/transport-node';
import { IsString } from 'class-validator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@e2gate/contracts';
import { decodeJson, encodeJson, NatsModule, startNatsRpc, type RpcReply } from '@e2gate/nats';
import { ObservabilityModule } from '@e2gate/observability';
import { connectNats } from '../../support/nats-events.js';
import { natsLink, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

// startNatsRpc against a real nats-server: the app's lifecycle hooks run once, handlers validate their payload and
// answer errors with a code, and requests are shared by the replicas of a queue group.

const ECHO = 'rpctest.get.echo';
const FAIL = 'rpctest.cmd.fail';

class EchoRequest {
  @IsString() name!: string;
}

@Injectable()
class Counters implements OnModuleInit, OnApplicationBootstrap {
  moduleInits = 0;
  bootstraps = 0;
  handled = 0;

  onModuleInit(): void {
    this.moduleInits++;
  }

  onApplicationBootstrap(): void {
    this.bootstraps++;
  }
}

@Controller()
class EchoHandler {
  constructor(private readonly counters: Counters) {}

  @MessagePattern(ECHO)
  echo(@Payload() request: EchoRequest): { hello: string } {
    this.counters.handled++;
    return { hello: request.name };
  }

  @MessagePattern(FAIL)
  fail(): never {
    throw new Error('a bug with a secret in its message');
  }
}

@Module({})
class RpcTestModule {
  static forRoot(natsUrl: string): DynamicModule {
    return {
      module: RpcTestModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'rpc-test', level: 'silent' }),
        NatsModule.forRoot({ link: natsLink(natsUrl, 'admin'), role: 'admin', name: 'rpc-test' }),
      ],
      controllers: [EchoHandler],
      providers: [Counters],
    };
  }
}

let nats: RunningNatsServer;
let client: NatsConnection;
const apps: NestFastifyApplication[] = [];

async function startApp(): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    RpcTestModule.forRoot(nats.url),
    new FastifyAdapter(),
    { logger: false },
  );
  apps.push(app);
  await startNatsRpc(app, { queue: 'rpc-test' });
  return app;
}

async function request(subject: string, payload: unknown): Promise<RpcReply<unknown>> {
  const reply = await client.request(subject, encodeJson(payload), { timeout: 5000 });
  return decodeJson(reply.data) as RpcReply<unknown>;
}

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connectNats(nats.url);
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

afterAll(async () => {
  await client?.close();
  await nats?.stop();
});

describe('startNatsRpc', () => {
  it('runs the lifecycle hooks once and answers requests', async () => {
    const app = await startApp();
    expect(await request(ECHO, { name: 'catalog' })).toEqual({ ok: true, data: { hello: 'catalog' } });
    const counters = app.get(Counters);
    expect({ moduleInits: counters.moduleInits, bootstraps: counters.bootstraps }).toEqual({
      moduleInits: 1,
      bootstraps: 1,
    });
  });

  it('refuses an invalid payload with VALIDATION_FAILED and hides an unexpected error behind INTERNAL', async () => {
    await startApp();
    expect(await request(ECHO, { name: 42 })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.ValidationFailed, details: { name: [expect.any(String)] } },
    });
    expect(await request(ECHO, { name: 'x', extra: true })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.ValidationFailed },
    });
    expect(await request(FAIL, {})).toEqual({
      ok: false,
      error: { code: ErrorCode.Internal, message: 'internal error' },
    });
  });

  it('shares requests between the replicas of the queue group: each is handled once', async () => {
    const replicas = [await startApp(), await startApp()];
    for (let index = 0; index < 20; index++) await request(ECHO, { name: `n${index}` });
    const handled = replicas.map((app) => app.get(Counters).handled);
    expect(handled[0]! + handled[1]!).toBe(20);
  });
});
