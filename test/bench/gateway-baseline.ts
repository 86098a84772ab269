/**
 * Baseline for `npm run bench:gateway`: a bare Fastify server (no auth, no guards, no Nest) answering the same
 * routes with the same bytes the gateway served — identity and gzip bodies, and 304 on the same ETags.
 * Started as a child process by gateway.bench.ts with the directory of captured responses as its argument.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { CapturedAnswer as Captured } from './wrk.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: gateway-baseline <captured-dir>');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Captured[];
const app = Fastify({ logger: false, bodyLimit: 16_384 });

for (const entry of manifest) {
  const body = readFileSync(join(dir, entry.body));
  const gzip = entry.gzip ? readFileSync(join(dir, entry.gzip)) : null;
  app.get(entry.path.split('?')[0]!, (request, reply) => {
    const wantsGzip = gzip !== null && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    const etag = wantsGzip ? entry.etagGzip : entry.etag;
    if (etag) reply.header('etag', etag);
    if (etag && request.headers['if-none-match'] === etag) return reply.code(304).send();
    reply.header('content-type', entry.contentType);
    if (wantsGzip) reply.header('content-encoding', 'gzip');
    return reply.send(wantsGzip ? gzip : body);
  });
}

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${address}\n`);
