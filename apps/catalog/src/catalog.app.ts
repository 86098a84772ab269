import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import {
  environmentReport,
  CATALOG_VARIABLES,
  logEnvironment,
  redactConfig,
  type CatalogConfig,
} from '@e2gate/config';
import { QueueGroup } from '@e2gate/contracts';
import { startNatsRpc } from '@e2gate/nats';
import { SHUTDOWN_SIGNALS } from '@e2gate/observability';
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
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS]);
  logger.log({ msg: 'catalog starting', config: redactConfig(config) }, 'Bootstrap');
  logEnvironment(environmentReport(CATALOG_VARIABLES), logger);
  await startNatsRpc(app, { queue: QueueGroup.Catalog });
  await app.listen(config.http.port, config.http.host);
  return app;
}
