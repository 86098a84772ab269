import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '@e2gate/config';
import { publicBaseUrl } from './public-base-url.js';

export function baseUrlOf(config: GatewayConfig, request: FastifyRequest): string {
  return publicBaseUrl(config.publicUrl, request.protocol, request.headers.host);
}
