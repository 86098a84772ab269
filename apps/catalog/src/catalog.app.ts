import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, registerMicroserviceLogging } from 'nestjs-pino';
import { redactConfig, type CatalogConfig } from '@e2gate/config';
import { QueueGroup } from '@e2gate/contracts';
import {
  createRpcValidationPipe,
  NatsConnectionService,
  NatsRpcServer,
  RpcExceptionFilter,
} from '@e2gate/nats';
import { CatalogModule, type CatalogModuleOverrides } from './catalog.module.js';

/** Builds and starts the catalog: NATS handlers (queue group `catalog`) plus HTTP health and metrics. */
export async function startCatalogApp(
  config: CatalogConfig,
  overrides: CatalogModuleOverrides = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    CatalogModule.forRoot(config, overrides),
    new FastifyAdapter(),
    {
      bufferLogs: true,
    },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  logger.log({ msg: 'catalog starting', config: redactConfig(config) }, 'Bootstrap');
  const microservice = app.connectMicroservice(
    { strategy: new NatsRpcServer(app.get(NatsConnectionService), { queue: QueueGroup.Catalog }) },
    { deferInitialization: true },
  );
  microservice.useGlobalPipes(createRpcValidationPipe());
  microservice.useGlobalFilters(new RpcExceptionFilter());
  registerMicroserviceLogging(microservice as unknown as Parameters<typeof registerMicroserviceLogging>[0]);
  // Lifecycle hooks run once, with the app; the deferred microservice must not run them a second time.
  await app.init();
  (microservice as NestMicroservice).setIsInitHookCalled(true);
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  return app;
}
