import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { ErrorCode, HttpEdgeErrorCode } from '@e2gate/contracts';
import { GatewayHttpError } from './gateway-http-error.js';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** RFC 9112 §3.2: a request with more than one Host header field is answered 400 (Node keeps the first). */
export function hasRepeatedHost(rawHeaders: readonly string[]): boolean {
  let hosts = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'host') hosts++;
  }
  return hosts > 1;
}

/** The methods some route serves at `url`: the `Allow` of a 405 (RFC 9110 §15.5.6); empty for an unknown path. */
export function allowedMethods(fastify: FastifyInstance, url: string): HTTPMethods[] {
  return METHODS.filter((method) => fastify.findRoute({ method, url }) !== null);
}

/**
 * Checks of every request before it reaches a route: URL length (414), a repeated Host header (400), and a
 * known path asked with a method it does not serve (405 with `Allow`, instead of the router's 404).
 */
export function installEdgeChecks(fastify: FastifyInstance, maxUrlLength: number): void {
  // A callback hook, not an async one: no promise per request on the hottest routes.
  fastify.addHook('onRequest', (request, _reply, done) => done(edgeError(fastify, request, maxUrlLength)));
}

function edgeError(
  fastify: FastifyInstance,
  request: FastifyRequest,
  maxUrlLength: number,
): Error | undefined {
  if (request.url.length > maxUrlLength) {
    return new GatewayHttpError(HttpEdgeErrorCode.UriTooLong, `URL longer than ${maxUrlLength} bytes`);
  }
  if (hasRepeatedHost(request.raw.rawHeaders)) {
    return new GatewayHttpError(ErrorCode.BadRequest, 'more than one Host header');
  }
  if (!request.is404) return undefined;
  const allowed = allowedMethods(fastify, request.url);
  if (allowed.length === 0) return undefined;
  return new GatewayHttpError(
    HttpEdgeErrorCode.MethodNotAllowed,
    `${request.method} is not allowed here; use ${allowed.join(', ')}`,
    { allow: allowed.join(', ') },
  );
}
