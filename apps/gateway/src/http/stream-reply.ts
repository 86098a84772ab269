import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';
import { observeHijackedDuration } from '@e2gate/observability';
import type { OpenedStream } from '../services/stream.service.js';
import { edgeHeaders } from './edge-headers.js';

/**
 * Sends a live stream: headers at once (players give up on a silent socket), then the body as the session sends it,
 * written to the raw response. The reply is hijacked, and most streams end with the client hanging up, which
 * Fastify's `onResponse` hook never hears of: the duration sample is recorded here instead. A client that goes away
 * ends its copy of the session.
 */
export function relayStream(
  request: FastifyRequest,
  reply: FastifyReply,
  opened: OpenedStream,
  httpDuration: Histogram<string>,
): void {
  reply.hijack();
  observeHijackedDuration(request, reply, httpDuration);
  reply.raw.writeHead(200, {
    'content-type': 'video/mp2t',
    'cache-control': 'no-store',
    'x-session-id': opened.sessionId,
    ...edgeHeaders(request),
  });
  reply.raw.flushHeaders();
  reply.raw.on('close', () => opened.body.destroy());
  // A viewer cut off (too slow) or a relay torn down: its connection goes too; a session that ended has ended the body.
  opened.body.on('close', () => {
    if (!opened.body.readableEnded) reply.raw.destroy();
  });
  opened.body.pipe(reply.raw);
}
