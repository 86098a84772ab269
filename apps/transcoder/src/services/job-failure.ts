import { E2gateError, ErrorCode, errorMessage, type JobFailure } from '@e2gate/contracts';
import { isNatsUnavailable } from '@e2gate/nats';
import { JobRunError } from './job-runner.js';

/** Why an attempt was stopped from outside its runner. */
export type StopReason = 'canceled' | 'timeout' | 'fenced' | 'shutdown';

const INPUT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.ReceiverNotFound,
  ErrorCode.ReceiverBadResponse,
  ErrorCode.ReceiverStreamRefused,
  ErrorCode.ReceiverAuthFailed,
  ErrorCode.NotFound,
]);
const NETWORK_CODES: ReadonlySet<string> = new Set([
  ErrorCode.ReceiverUnreachable,
  ErrorCode.ReceiverTimeout,
  ErrorCode.ReceiverHttpError,
  ErrorCode.ReceiverCircuitOpen,
  ErrorCode.ReceiverOverloaded,
  ErrorCode.Unavailable,
]);
/** Native engine codes that mean the input is not a stream it can read. */
const NATIVE_INPUT_CODES: ReadonlySet<string> = new Set([
  'ERR_NATIVE_NO_PROGRAM',
  'ERR_NATIVE_INVALID_INPUT',
]);
// ERR_NATIVE_IO: the engine could not write its output file (disk full, most likely).
const RESOURCE_ERRNOS: ReadonlySet<string> = new Set([
  'ENOSPC',
  'ENOMEM',
  'EMFILE',
  'ENFILE',
  'EDQUOT',
  'ERR_NATIVE_IO',
]);

/** jobs.md §3: the failure class of what an attempt threw; unknown ⇒ `runtime_error`. */
export function classifyFailure(error: unknown, stopped: StopReason | null): JobFailure {
  const message = errorMessage(error).slice(0, 1_000);
  if (stopped === 'timeout')
    return { class: 'timeout', code: 'JOB_TIMEOUT', message: 'the attempt ran past its timeout' };
  if (stopped === 'canceled') return { class: 'canceled', code: 'JOB_CANCELED', message: 'canceled' };
  if (error instanceof JobRunError) return { class: error.failureClass, code: error.code, message };
  // NATS away for a moment (a restart, a leader election): the attempt is worth another try elsewhere or later.
  if (isNatsUnavailable(error)) return { class: 'network_error', code: ErrorCode.Unavailable, message };
  if (error instanceof E2gateError) {
    if (INPUT_CODES.has(error.code)) return { class: 'input_error', code: error.code, message };
    if (NETWORK_CODES.has(error.code)) return { class: 'network_error', code: error.code, message };
    return { class: 'runtime_error', code: error.code, message };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (RESOURCE_ERRNOS.has(code)) return { class: 'resource_error', code, message };
    if (NATIVE_INPUT_CODES.has(code)) return { class: 'input_error', code, message };
    if (code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT') {
      return { class: 'network_error', code, message };
    }
    return { class: 'runtime_error', code, message };
  }
  return { class: 'runtime_error', code: 'JOB_RUNTIME_ERROR', message };
}
