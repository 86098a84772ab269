import type { ErrorBody } from '@e2gate/contracts';

/**
 * Wire format of every reply: `{ok: true, data}` or `{ok: false, error: {code, message, details}}`.
 * Requests are the plain JSON request object, so any NATS client (`nats req catalog.get.meta '{}'`) can talk
 * to the services. The correlation id travels in the `x-correlation-id` header.
 */
export type RpcReply<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export const CORRELATION_HEADER = 'x-correlation-id';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value ?? null));
}

export function decodeJson(data: Uint8Array): unknown {
  return data.length === 0 ? {} : JSON.parse(decoder.decode(data));
}
