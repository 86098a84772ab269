/**
 * Writes the gateway's OpenAPI document without starting anything (`{ preview: true }`: no providers, no NATS):
 * `npm run openapi:gateway` refreshes docs/openapi.json, which an e2e test compares with the live document.
 * A build-time tool (it uses prettier, a dev dependency).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { format, resolveConfig } from 'prettier';
import { loadGatewayConfig } from '@e2gate/config';
import { GatewayModule } from './gateway.module.js';
import { buildOpenApiDocument } from './openapi.js';

const target = process.argv[2] ?? 'docs/openapi.json';
const app = await NestFactory.create<NestFastifyApplication>(
  GatewayModule.forRoot(loadGatewayConfig({ LOG_LEVEL: 'silent' })),
  new FastifyAdapter(),
  { preview: true, logger: false },
);
const document = buildOpenApiDocument(app);
// Formatted like every other file of the repository, so `npm run check` stays green after a refresh.
const options = { ...(await resolveConfig(target)), parser: 'json' };
writeFileSync(target, await format(JSON.stringify(document), options));
await app.close();
console.log(`wrote ${target} (${Object.keys(document.paths).length} paths)`);
