import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on protected routes. */
    principal?: Principal;
  }
}

/** The request id shared with the log lines (pino-http's id, else Fastify's). */
export function requestIdOf(request: FastifyRequest): string {
  const raw = (request.raw as { id?: unknown }).id;
  return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : String(request.id);
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
