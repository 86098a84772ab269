import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { requestIdFrom } from './request-id.js';
import { REDACT_PATHS, redactUrl, scrubSecrets } from './scrub.js';

export interface LoggingOptions {
  service: string;
  level: string;
  /** Extra pino options for tests (e.g. a destination stream). */
  destination?: NodeJS.WritableStream;
}

/** nestjs-pino parameters shared by every app: JSON lines, request ids, redaction, quiet health probes. */
export function createLoggerParams(options: LoggingOptions): Params {
  const pinoOptions = {
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: scrubSecrets },
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
    customProps: () => ({}),
    customLogLevel: (_req: IncomingMessage, res: { statusCode: number }, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : 'info',
    autoLogging: {
      // Middleware sees a prefix-stripped `url`; `originalUrl` is the path the client asked for.
      ignore: (req: IncomingMessage & { originalUrl?: string }) =>
        /^\/(healthz|readyz|metrics)\b/.test(req.originalUrl ?? req.url ?? ''),
    },
    serializers: {
      // The URL without credentials: device key segment and credential-like query values replaced after
      // percent-decoding (the raw URL could carry `?%74oken=…`, which the server reads as `token`).
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(String(req.url)),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return {
    pinoHttp: options.destination ? [pinoOptions, options.destination] : pinoOptions,
    // nestjs-pino's default route pattern (`{/*splat}`) matches nothing on Fastify here, which silently
    // disabled request logging; `/{*splat}` matches every path, unmatched (404) ones included.
    forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
    microservice: {
      genReqId: (context) => {
        const headers = context
          .switchToRpc()
          .getContext<{ getHeaders?: () => { get(name: string): string } | undefined }>();
        // Anyone who can publish on a subject chooses this header: bounded like an HTTP request id.
        return requestIdFrom(headers.getHeaders?.()?.get('x-correlation-id'));
      },
      autoLogging: false,
    },
  } as Params;
}
