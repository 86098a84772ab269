/**
 * Writes the gateway's OpenAPI document without starting anything (`{ preview: true }`: no providers, no NATS):
 * `npm run openapi:gateway` refreshes docs/openapi.json, which an e2e test compares with the live document.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
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
writeFileSync(target, JSON.stringify(document, null, 2) + '\n');
await app.close();
console.log(`wrote ${target} (${Object.keys(document.paths).length} paths)`);
