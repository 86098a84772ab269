import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';

/**
 * An `onResponse` hook for routes the request-logging middleware never sees (served outside Nest, answered too
 * often to log every success): their failures are still logged, one line each in the middleware's shape (`req`, `res`, `responseTime`; the URL goes
 * through the same redacting serializer), 4xx at info and 5xx at error as the middleware does.
 */
export function logFailedRequests(context: string): onResponseHookHandler {
  const logger = new Logger(context);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (reply.statusCode >= 400) {
      const line = {
        msg: reply.statusCode >= 500 ? 'request errored' : 'request completed',
        // The raw objects, as the middleware logs them: the logger's serializers pick and redact the fields.
        req: request.raw,
        res: reply.raw,
        responseTime: Math.round(reply.elapsedTime),
      };
      if (reply.statusCode >= 500) logger.error(line);
      else logger.log(line);
    }
    done();
  };
}
