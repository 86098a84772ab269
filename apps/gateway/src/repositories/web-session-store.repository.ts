import { Injectable } from '@nestjs/common';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { Bucket } from '@e2gate/contracts';
import { NatsConnectionService } from '@e2gate/nats';

/** A browser signed in to the web app. The cookie value itself is never stored, only its digest (the key). */
export interface WebSessionRecord {
  /** The API token the browser signed in with (its scopes are looked up at every request). */
  tokenName: string;
  /** Sent back as `X-CSRF-Token` by the page with every state-changing call. */
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface WebSessionChange {
  key: string;
  /** Null when the session was removed (sign-out, expiry). */
  record: WebSessionRecord | null;
}

/** The `web-sessions` KV bucket. */
@Injectable()
export class WebSessionStoreRepository {
  private kv: KV | null = null;

  constructor(private readonly nats: NatsConnectionService) {}

  async create(key: string, record: WebSessionRecord): Promise<void> {
    await (await this.open()).create(key, JSON.stringify(record));
  }

  async get(key: string): Promise<WebSessionRecord | null> {
    const entry = await (await this.open()).get(key);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
    return entry.json<WebSessionRecord>();
  }

  async remove(key: string): Promise<void> {
    await (await this.open()).delete(key);
  }

  /** Every stored session, then every change, until `stop()`. */
  async watch(): Promise<AsyncIterable<WebSessionChange> & { stop(): void }> {
    const watch = await (await this.open()).watch({ key: 's.>' });
    const changes = (async function* () {
      for await (const entry of watch as AsyncIterable<KvWatchEntry>) {
        const removed = entry.operation !== 'PUT' || entry.length === 0;
        yield { key: entry.key, record: removed ? null : entry.json<WebSessionRecord>() };
      }
    })();
    return Object.assign(changes, { stop: () => watch.stop() });
  }

  private async open(): Promise<KV> {
    return (this.kv ??= await (await this.nats.kvm()).open(Bucket.WebSessions));
  }
}
