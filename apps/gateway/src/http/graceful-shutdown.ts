import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@e2gate/contracts';
import { GatewayHttpError } from './gateway-http-error.js';

/**
 * How the HTTP server closes at shutdown. `server.close()` waits for every open connection, and one client that
 * trickles its headers (or a live stream, or a slow request) would keep the process alive for minutes. So once
 * closing starts: idle keep-alive connections are closed at once, requests that still arrive on open connections
 * are answered 503 UNAVAILABLE with the normal error body (Fastify's own 503 has another shape: it is switched off
 * with `return503OnClosing: false`), and after `graceMs` every connection still open is closed. Live streams are
 * ended by `StreamService` before the server starts closing.
 */
export function installGracefulShutdown(fastify: FastifyInstance, graceMs: number): void {
  const logger = new Logger('HttpShutdown');
  let closing = false;
  let grace: NodeJS.Timeout | undefined;
  fastify.addHook('onRequest', (_request, _reply, done) => {
    if (!closing) return done();
    done(
      new GatewayHttpError(ErrorCode.Unavailable, 'the gateway is shutting down', { connection: 'close' }),
    );
  });
  fastify.addHook('preClose', (done) => {
    closing = true;
    fastify.server.closeIdleConnections();
    grace = setTimeout(() => {
      logger.warn(`requests still open after ${graceMs} ms: closing their connections`);
      fastify.server.closeAllConnections();
    }, graceMs).unref(); // open connections keep the process alive, not this timer
    logger.log(`closing the HTTP server; open requests have ${graceMs} ms`);
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    clearTimeout(grace);
    done();
  });
}
