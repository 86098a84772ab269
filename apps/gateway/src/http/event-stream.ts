import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { edgeHeaders } from './edge-headers.js';

/** Sends `body` (already formatted as server-sent events) as the response; a client that leaves destroys it. */
export function sendEventStream(request: FastifyRequest, reply: FastifyReply, body: Readable): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    ...edgeHeaders(request),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  reply.raw.flushHeaders();
  request.raw.once('close', () => body.destroy());
  body.pipe(reply.raw);
}

/** One server-sent event. */
export function eventText(id: number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
