/** Injection token for the options of the process-wide NATS connection. */
export const NATS_OPTIONS = Symbol('NATS_OPTIONS');

export interface NatsModuleOptions {
  /** One or more comma-separated `nats://` URLs. */
  url: string;
  /** Connection name shown by the server (`<service>-<pid>`). */
  name: string;
  /** JetStream buckets this process needs; created idempotently at start. */
  buckets?: BucketSpec[];
}

export type BucketSpec =
  | { kind: 'kv'; name: string; history?: number; ttlMs?: number; maxBytes?: number; description?: string }
  | { kind: 'object'; name: string; ttlMs?: number; maxBytes?: number; description?: string };
