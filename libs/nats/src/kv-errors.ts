import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

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
