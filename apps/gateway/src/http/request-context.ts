import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { requestIdFrom } from '@e2gate/observability';
import type { Principal } from '../auth/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on protected routes. */
    principal?: Principal;
  }
}

/**
 * Fastify's request id: a well-formed incoming `x-request-id` (at most 64 plain characters), else a UUID. It is also
 * stored on the raw request, where pino-http picks it up, so error bodies, the `x-request-id` response header and log
 * lines agree.
 */
export function requestIdFor(raw: IncomingMessage): string {
  const id = requestIdFrom(raw.headers['x-request-id']);
  (raw as IncomingMessage & { id?: string }).id = id;
  return id;
}

export function requestIdOf(request: FastifyRequest): string {
  return String(request.id);
}

/** Path without the query string: what URL signatures cover. */
export function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A single query value; repeated parameters count as absent (they are not a credential we issued). */
export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
