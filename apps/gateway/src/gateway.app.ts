import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import {
  environmentReport,
  GATEWAY_VARIABLES,
  logEnvironment,
  processEnv,
  redactConfig,
  type GatewayConfig,
} from '@e2gate/config';
import { observeHttpDurations, SHUTDOWN_SIGNALS } from '@e2gate/observability';
import { isHlsMediaUrl, serveHlsMedia } from './controllers/hls-media.routes.js';
import { TS_CONTENT_TYPE } from './services/artifacts.service.js';
import { GatewayModule, type GatewayModuleOptions } from './gateway.module.js';
import { installEdgeChecks } from './http/edge-checks.js';
import { toErrorResponse } from './http/error-response.js';
import { installGracefulShutdown } from './http/graceful-shutdown.js';
import { LeanRoutes, serverOptions } from './http/lean-routes.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { API_VERSION, edgeHeaders } from './http/edge-headers.js';
import { requestIdOf } from './http/request-context.js';
import { RequestValidationPipe } from './http/request-validation.pipe.js';
import { GatewayMetrics } from './metrics/gateway.metrics.js';
import { HlsService } from './services/hls.service.js';
import { SettingsReloadService } from './services/settings-reload.service.js';
import { buildOpenApiDocument, serveOpenApi } from './openapi.js';
import { loadWebApp, serveWebApp } from './web/web-app.js';

export type GatewayAppOptions = GatewayModuleOptions;

export interface RegisteredRoute {
  method: string;
  url: string;
}

const routesOf = new WeakMap<object, RegisteredRoute[]>();

/** Every route the HTTP server registered (Nest controllers, Swagger, Prometheus), for the OpenAPI coverage test. */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return [...(routesOf.get(app.getHttpAdapter().getInstance()) ?? [])];
}

/** Builds the gateway without listening (tests, OpenAPI generation); `startGatewayApp` also listens. */
export async function createGatewayApp(
  config: GatewayConfig,
  options: GatewayAppOptions = {},
): Promise<NestFastifyApplication> {
  const lean = new LeanRoutes(config, isHlsMediaUrl);
  const adapter = new FastifyAdapter({
    ...serverOptions(config),
    serverFactory: lean.serverFactory,
    // Requests arriving while the server closes get our error body instead (installGracefulShutdown).
    return503OnClosing: false,
    // Errors Fastify raises before routing (a malformed URL, a bad Content-Type header) get our error body too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const response = toErrorResponse(error, requestIdOf(request));
      void reply
        .code(response.status)
        .header('x-request-id', response.body.requestId)
        .header('x-api-version', API_VERSION)
        .type('application/json; charset=utf-8')
        .send(response.body);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot(config, options),
    adapter,
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new RequestValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  const fastify = app.getHttpAdapter().getInstance();
  const routes: RegisteredRoute[] = [];
  routesOf.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // Uploads for remux jobs reach their route as the request stream, never buffered (ArtifactsService bounds them).
  fastify.addContentTypeParser(TS_CONTENT_TYPE, (_request, payload, done) => done(null, payload));
  installGracefulShutdown(fastify, config.shutdownGraceMs);
  installEdgeChecks(fastify, config.limits.maxUrlLength);
  fastify.addHook('onSend', async (request, reply) => {
    reply.headers(edgeHeaders(request));
  });
  observeHttpDurations(fastify, app.get(GatewayMetrics).httpDuration);
  lean.fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  lean.observe(app.get(GatewayMetrics).httpDuration);
  serveHlsMedia(lean.fastify, app.get(HlsService));
  const webApp = await loadWebApp(config.web.dir);
  if (!webApp)
    app.get(Logger).warn('the web app is not built (npm run build:web): its pages answer 503', 'WebApp');
  serveWebApp(fastify, webApp);
  await lean.ready();
  fastify.addHook('preClose', async () => lean.close());
  serveOpenApi(app, buildOpenApiDocument(app));
  // Not SIGHUP: it reloads the settings (SettingsReloadService).
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS]);
  return app;
}

export async function startGatewayApp(
  config: GatewayConfig,
  options: GatewayAppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await createGatewayApp(config, options);
  const logger = app.get(Logger);
  logger.log({ msg: 'gateway starting', config: redactConfig(config) }, 'Bootstrap');
  await app.init(); // applies E2GATE_SETTINGS_FILE (SettingsReloadService), whose settings the report names
  const fromFile = app.get(SettingsReloadService).fromFile;
  logEnvironment(environmentReport(GATEWAY_VARIABLES, processEnv(), fromFile), logger);
  await app.listen(config.http.port, config.http.host);
  logger.log(`gateway listening on ${await app.getUrl()}`, 'Bootstrap');
  return app;
}
