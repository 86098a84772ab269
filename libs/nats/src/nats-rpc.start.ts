import type { INestApplication } from '@nestjs/common';
import type { NestMicroservice } from '@nestjs/microservices';
import { registerMicroserviceLogging } from 'nestjs-pino';
import { NatsConnectionService } from './nats-connection.service.js';
import { NatsRpcServer, type NatsRpcServerOptions } from './nats-rpc.server.js';
import { RpcExceptionFilter } from './rpc-exception.filter.js';
import { createRpcValidationPipe } from './rpc-validation.pipe.js';

/**
 * Makes an HTTP app also answer its NATS handlers (`@MessagePattern`, `@EventPattern`): connects `NatsRpcServer` on
 * the process-wide connection (requests in `options.queue`), with the RPC validation pipe, the RPC exception filter
 * and pino logging per message; initialises the app and starts the handlers. Call it instead of `app.init()`, then
 * `app.listen()`.
 */
export async function startNatsRpc(app: INestApplication, options: NatsRpcServerOptions): Promise<void> {
  const microservice = app.connectMicroservice(
    { strategy: new NatsRpcServer(app.get(NatsConnectionService), options) },
    // Deferred: the handlers are wired when the microservice starts, so they get the pipe, filter and logging hook
    // registered below (wired at once, they would run without them).
    { deferInitialization: true },
  );
  microservice.useGlobalPipes(createRpcValidationPipe());
  microservice.useGlobalFilters(new RpcExceptionFilter());
  registerMicroserviceLogging(microservice as unknown as Parameters<typeof registerMicroserviceLogging>[0]);
  await app.init();
  // Lifecycle hooks (onModuleInit, onApplicationBootstrap) have now run once, with the app. A deferred
  // microservice does not know that and would run every one of them a second time when it starts (a second NATS
  // provisioning, a second start-up refresh): it is told they ran.
  (microservice as NestMicroservice).setIsInitHookCalled(true);
  await app.startAllMicroservices();
}
