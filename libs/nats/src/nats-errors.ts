import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';

/**
 * True when a KV write was refused because its compare-and-set expectation failed: `create` of a key that
 * exists, or `update`/`delete` with a revision that is no longer the latest. Every other error (no JetStream,
 * timeouts, a closed connection) is a real failure and must not be read as "someone else holds the key".
 */
export function isKvRevisionConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/**
 * True when NATS or JetStream could not be reached for a moment: a request timed out or found no responder, the
 * connection is closed, draining or reconnecting, or JetStream answered that it is unavailable (a cluster electing
 * a leader after a node was lost). Callers answer "try again" instead of "internal error".
 */
export function isNatsUnavailable(error: unknown): boolean {
  if (
    error instanceof TimeoutError ||
    error instanceof NoRespondersError ||
    error instanceof ClosedConnectionError ||
    error instanceof DrainingConnectionError ||
    error instanceof ConnectionError
  ) {
    return true;
  }
  if (error instanceof RequestError) return error.isNoResponders() || isNatsUnavailable(error.cause);
  if (error instanceof JetStreamApiError) return error.status === 503;
  // Not exported by @nats-io/jetstream: the JetStream API found no responder.
  return error instanceof Error && error.name === 'JetStreamNotEnabled';
}
