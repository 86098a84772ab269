import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import {
  environmentReport,
  TRANSCODER_VARIABLES,
  logEnvironment,
  redactConfig,
  type TranscoderConfig,
} from '@e2gate/config';
import { QueueGroup } from '@e2gate/contracts';
import { startNatsRpc } from '@e2gate/nats';
import { SHUTDOWN_SIGNALS } from '@e2gate/observability';
import { TranscoderModule, type TranscoderModuleOverrides } from './transcoder.module.js';

/** Builds and starts a transcoder node: NATS handlers (queue group `transcoder`) plus HTTP health and metrics. */
export async function startTranscoderApp(
  config: TranscoderConfig,
  overrides: TranscoderModuleOverrides = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    TranscoderModule.forRoot(config, overrides),
    new FastifyAdapter(),
    { bufferLogs: true },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS]);
  logger.log({ msg: 'transcoder starting', config: redactConfig(config) }, 'Bootstrap');
  logEnvironment(environmentReport(TRANSCODER_VARIABLES), logger);
  await startNatsRpc(app, { queue: QueueGroup.Transcoder });
  await app.listen(config.http.port, config.http.host);
  return app;
}
