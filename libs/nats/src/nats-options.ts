import type { NatsCredentials } from '@e2gate/config';
import type { NatsRole } from './nats-permissions.js';

/** Injection token for the options of the process-wide NATS connection. */
export const NATS_OPTIONS = Symbol('NATS_OPTIONS');

/** Where and how to connect: the NATS part of every app's config, passed as it is. */
export interface NatsLink {
  /** One or more comma-separated `nats://` URLs. */
  natsUrl: string;
  natsCredentials?: NatsCredentials;
  /** CA bundle that signed the server's certificate: the connection then requires TLS. */
  natsTlsCaFile?: string;
  /** Replicas of the buckets and streams this service creates (default 1; 3 on a three-node cluster). */
  natsReplicas?: number;
}

export interface NatsModuleOptions {
  link: NatsLink;
  /** The service's NATS user: its reply inbox lives under this role's prefix (`nats-permissions.ts`). */
  role: NatsRole;
  /** Connection name shown by the server (`<app>-<host>-<pid>`). */
  name: string;
  /** JetStream buckets and streams this process writes (`storage-specs.ts`); created idempotently at start. */
  storage?: StorageSpec[];
}

export type BucketSpec =
  | { kind: 'kv'; name: string; history?: number; ttlMs?: number; maxBytes?: number; description?: string }
  | {
      kind: 'object';
      name: string;
      ttlMs?: number;
      maxBytes?: number;
      description?: string;
      /**
       * At `maxBytes`, drop the oldest chunks instead of refusing new objects (an Object Store refuses by default):
       * for caches whose oldest entries are the least valuable, such as a timeshift window of segments.
       */
      dropOldest?: boolean;
    };

/**
 * When a stream drops a message: `limits` once a limit is reached (oldest first), `workqueue` once a consumer acks
 * it (each subject has at most one consumer), `interest` once every consumer interested in it has acked it.
 */
export type StreamRetention = 'limits' | 'workqueue' | 'interest';

/** A JetStream stream, on file storage; a limit left out is unlimited. */
export interface StreamSpec {
  kind: 'stream';
  name: string;
  subjects: string[];
  retention: StreamRetention;
  maxBytes?: number;
  maxAgeMs?: number;
  maxMsgs?: number;
  /** At a limit: `old` drops the oldest messages (the default), `new` refuses the publish (explicit overflow). */
  discard?: 'old' | 'new';
  /** Publishes with a `Nats-Msg-Id` seen within this window are dropped as duplicates (server default 2 min). */
  duplicateWindowMs?: number;
  description?: string;
}

export type StorageSpec = BucketSpec | StreamSpec;
