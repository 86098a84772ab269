import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Logger, NotFoundException } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';
import type { GatewayConfig } from '@e2gate/config';
import { observeHttpDurations } from '@e2gate/observability';
import { installEdgeChecks } from './edge-checks.js';
import { installGracefulShutdown } from './graceful-shutdown.js';
import { sendError } from './http-exception.filter.js';
import { edgeHeaders } from './edge-headers.js';
import { requestIdFor } from './request-context.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The Fastify options both instances share: request ids, body limit, proxies, long capability paths. */
export function serverOptions(config: GatewayConfig) {
  return {
    genReqId: requestIdFor,
    bodyLimit: config.limits.maxBodyBytes,
    trustProxy: config.http.trustProxy === true ? true : config.http.trustProxy || false,
    routerOptions: { maxParamLength: 200 },
  };
}

/**
 * A second, bare Fastify instance on the gateway's HTTP server for the routes every viewer asks for about once a
 * second (HLS media playlists and segments). Nest's Fastify instance runs its middleware engine, its own hooks and
 * the request-logging middleware on every request, several times the cost of answering a small playlist; requests
 * under `prefix` go to this instance instead, which keeps only what these public routes need: the request id
 * (`x-request-id`), the URL-length and Host checks, the request-duration histogram, the error body, and a stop
 * with 503 once the gateway shuts down. Everything else reaches Nest as before.
 */
export class LeanRoutes {
  readonly fastify: FastifyInstance;
  private readonly logger = new Logger('LeanRoutes');

  constructor(
    config: GatewayConfig,
    private readonly owns: (url: string) => boolean,
  ) {
    this.fastify = Fastify(serverOptions(config));
    installGracefulShutdown(this.fastify, config.shutdownGraceMs);
    installEdgeChecks(this.fastify, config.limits.maxUrlLength);
    this.fastify.addHook('onRequest', (request, reply, done) => {
      reply.headers(edgeHeaders(request)); // kept by every answer, errors included
      done();
    });
    this.fastify.setErrorHandler((error, request, reply) => sendError(error, request, reply, this.logger));
    this.fastify.setNotFoundHandler((request, reply) =>
      sendError(
        new NotFoundException(`Cannot ${request.method} ${request.url}`),
        request,
        reply,
        this.logger,
      ),
    );
  }

  /** For the FastifyAdapter's `serverFactory`: one HTTP server, requests split between the two instances. */
  serverFactory = (nest: Handler): Server =>
    createServer((request, response) => {
      if (this.owns(request.url ?? '')) this.fastify.routing(request, response);
      else nest(request, response);
    });

  /** Request durations into the gateway's histogram (the same metric as every other route). */
  observe(histogram: Histogram<string>): void {
    observeHttpDurations(this.fastify, histogram);
  }

  /** Routes are registered: ready to answer (before the server listens). */
  async ready(): Promise<void> {
    await this.fastify.ready();
  }

  /** The gateway shuts down: requests that still arrive here are answered 503, as on the other routes. */
  async close(): Promise<void> {
    await this.fastify.close();
  }
}
