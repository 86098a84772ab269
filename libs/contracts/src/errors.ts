/**
 * Stable error codes shared by every service. They cross NATS as `{code, message, details}` and the gateway
 * maps them to HTTP statuses in one table. Never rename a code: clients and dashboards key on them.
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  BadRequest: 'BAD_REQUEST',
  NotFound: 'NOT_FOUND',
  RangeTooLarge: 'RANGE_TOO_LARGE',
  NoSnapshot: 'NO_SNAPSHOT',
  Unavailable: 'UNAVAILABLE',
  Timeout: 'TIMEOUT',
  Internal: 'INTERNAL',
  RefreshFailed: 'REFRESH_FAILED',
  RefreshTimeout: 'REFRESH_TIMEOUT',
  ReceiverUnreachable: 'RECEIVER_UNREACHABLE',
  ReceiverTimeout: 'RECEIVER_TIMEOUT',
  ReceiverHttpError: 'RECEIVER_HTTP_ERROR',
  ReceiverAuthFailed: 'RECEIVER_AUTH_FAILED',
  ReceiverNotFound: 'RECEIVER_NOT_FOUND',
  ReceiverBadResponse: 'RECEIVER_BAD_RESPONSE',
  ReceiverApiError: 'RECEIVER_API_ERROR',
  ReceiverCircuitOpen: 'RECEIVER_CIRCUIT_OPEN',
  ReceiverOverloaded: 'RECEIVER_OVERLOADED',
  ReceiverResponseTooLarge: 'RECEIVER_RESPONSE_TOO_LARGE',
  /** A stored catalog snapshot failed validation (schema, size, consistency) and was not installed. */
  SnapshotInvalid: 'SNAPSHOT_INVALID',
  /** Something the receiver sent exceeded a count bound (bouquets, services, events); the rest was kept. */
  LimitExceeded: 'LIMIT_EXCEEDED',
  /** The receiver refused a stream (HTTP error, a text error after its 200, no data at all). */
  ReceiverStreamRefused: 'RECEIVER_STREAM_REFUSED',
  /** Every tuner of the receiver is in use by sessions on other transponders; retry later. */
  TunersBusy: 'TUNERS_BUSY',
  /** No transcoder node has room for another session; retry later. */
  Capacity: 'CAPACITY',
  /** The job queue of that class is full (or the work queue refused the message); retry later. */
  JobQueueFull: 'JOB_QUEUE_FULL',
  /** The job is not in a state that allows the call (retry of a job that has not failed, cancel of a finished one). */
  JobStateConflict: 'JOB_STATE_CONFLICT',
  /** An idempotency key was sent again with a different request body. */
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  /** A byte range outside the file. */
  RangeNotSatisfiable: 'RANGE_NOT_SATISFIABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The wire shape of every error that crosses a service boundary. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** An error that knows its stable code; services throw it, transports serialise it. */
export class E2gateError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'E2gateError';
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['code'] === 'string' && typeof candidate['message'] === 'string';
}

export function isKnownErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

/** The message of anything thrown (an `Error`'s message, or the value as text). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
