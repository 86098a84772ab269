import { HttpException } from '@nestjs/common';
import {
  E2gateError,
  ErrorCode,
  HttpEdgeErrorCode,
  isErrorBody,
  isKnownErrorCode,
  type HttpErrorBody,
  type HttpErrorCode,
} from '@e2gate/contracts';
import { isNatsUnavailable } from '@e2gate/nats';
import { codeForStatus, HTTP_STATUS_OF } from './error-table.js';
import { GatewayHttpError } from './gateway-http-error.js';

export interface ErrorResponse {
  status: number;
  body: HttpErrorBody;
  headers: Readonly<Record<string, string>>;
  /** Unexpected: log it with its stack. */
  unexpected: boolean;
}

const EDGE_CODES = new Set<string>(Object.values(HttpEdgeErrorCode));

/** Anything thrown while handling a request → status, `{code, message, requestId}` body and headers. */
export function toErrorResponse(exception: unknown, requestId: string): ErrorResponse {
  if (exception instanceof GatewayHttpError) {
    return respond(exception.code, exception.message, requestId, exception.headers, exception.details);
  }
  if (exception instanceof E2gateError) {
    return respond(
      exception.code,
      exception.message,
      requestId,
      retryAfter(exception),
      publicDetails(exception),
    );
  }
  if (exception instanceof HttpException) return fromHttpException(exception, requestId);
  if (isNatsUnavailable(exception)) {
    return respond(ErrorCode.Unavailable, 'service unavailable for a moment, retry', requestId, {
      'retry-after': String(NATS_RETRY_AFTER_SECONDS),
    });
  }
  const framework = frameworkStatus(exception);
  if (framework !== null) {
    return respond(codeForStatus(framework.status), framework.message, requestId);
  }
  return { ...respond(ErrorCode.Internal, 'internal error', requestId), unexpected: true };
}

function respond(
  code: HttpErrorCode,
  message: string,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
  details?: unknown,
): ErrorResponse {
  const body: HttpErrorBody = { code, message, requestId };
  if (details !== undefined) body.details = details;
  return { status: HTTP_STATUS_OF[code], body, headers, unexpected: false };
}

function fromHttpException(exception: HttpException, requestId: string): ErrorResponse {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (isErrorBody(response) && isHttpErrorCode(response.code)) {
    return { ...respond(response.code, response.message, requestId, {}, response.details), status };
  }
  const message =
    typeof response === 'object' &&
    response !== null &&
    typeof (response as { message?: unknown }).message === 'string'
      ? (response as { message: string }).message
      : exception.message;
  return { ...respond(codeForStatus(status), message, requestId), status };
}

/** Fastify's own errors (body too large, bad JSON, wrong content type) carry a 4xx `statusCode`. */
function frameworkStatus(exception: unknown): { status: number; message: string } | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const status = (exception as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  const message = (exception as { message?: unknown }).message;
  return { status, message: typeof message === 'string' ? message : 'bad request' };
}

const DEFAULT_RETRY_AFTER_SECONDS = 10;
/** A NATS reconnect or a JetStream leader election takes seconds. */
const NATS_RETRY_AFTER_SECONDS = 2;
const MAX_RETRY_AFTER_SECONDS = 3600;
/**
 * Refusals a client should simply retry (503/429 with `Retry-After`, as HDHomeRun clients expect), with the wait
 * when the error names none. UNAVAILABLE from a service is the same passing outage a NATS error shows here.
 */
const RETRY_LATER: ReadonlyMap<string, number> = new Map([
  [ErrorCode.TunersBusy, DEFAULT_RETRY_AFTER_SECONDS],
  [ErrorCode.Capacity, DEFAULT_RETRY_AFTER_SECONDS],
  [ErrorCode.JobQueueFull, DEFAULT_RETRY_AFTER_SECONDS],
  [ErrorCode.Unavailable, NATS_RETRY_AFTER_SECONDS],
]);

function retryAfter(error: E2gateError): Record<string, string> {
  const fallback = RETRY_LATER.get(error.code);
  if (fallback === undefined) return {};
  const asked = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  const seconds =
    typeof asked === 'number' && Number.isFinite(asked)
      ? Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.round(asked)))
      : fallback;
  return { 'retry-after': String(seconds) };
}

/** Validation details help clients, as do the tuner counts of TUNERS_BUSY; anything else stays internal. */
function publicDetails(error: E2gateError): unknown {
  switch (error.code) {
    case ErrorCode.ValidationFailed:
    case ErrorCode.RangeTooLarge:
      return error.details;
    case ErrorCode.TunersBusy: {
      const { tuners, inUse } = (error.details ?? {}) as { tuners?: unknown; inUse?: unknown };
      return typeof tuners === 'number' && typeof inUse === 'number' ? { tuners, inUse } : undefined;
    }
    default:
      return undefined;
  }
}

function isHttpErrorCode(code: string): code is HttpErrorCode {
  return isKnownErrorCode(code) || EDGE_CODES.has(code);
}
