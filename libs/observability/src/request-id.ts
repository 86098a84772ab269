import { randomUUID } from 'node:crypto';

/**
 * A caller's request or correlation id is echoed in a response header and written into every log line of the
 * request, so only a short, plain one is kept: at most 64 characters of `A-Z a-z 0-9 . _ : -` (UUIDs, W3C trace
 * ids, `service:123`). Anything else is replaced.
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The incoming id when it is well formed (one header value, bounded, plain), else a new UUID. */
export function requestIdFrom(incoming: unknown): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
