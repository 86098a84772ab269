import type { FastifyRequest } from 'fastify';
import { requestIdOf } from './request-context.js';

/**
 * The HTTP API's major version. Additions (routes, fields, codes) keep it; a change that breaks a client starts
 * `/api/v2` beside `/api/v1` (docs/UPGRADE.md). Sent as `X-API-Version` on every answer of the gateway.
 */
export const API_VERSION = '1';

/** Headers every answer carries, also those written straight to the socket (streams, event streams). */
export function edgeHeaders(request: FastifyRequest): Record<string, string> {
  return { 'x-request-id': requestIdOf(request), 'x-api-version': API_VERSION };
}
