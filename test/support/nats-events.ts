import type { NatsConnection } from '@nats-io/transport-node';
import { connectAs } from './nats-server.js';

/**
 * Waits for the next message on `subject` that satisfies `predicate` (never sleeps: rejects after `timeoutMs`).
 * Subscribe before triggering the action that publishes.
 */
export function nextMessage<T>(
  nc: NatsConnection,
  subject: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = 30_000,
  withSubject = false,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`no ${subject} message within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        const payload = (withSubject ? { subject: msg.subject, payload: msg.json() } : msg.json()) as T;
        if (!predicate(payload)) return;
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(payload);
      },
    });
  });
}

/** A test's own connection: it outlives any NATS restart a test makes (the client's default gives up after ~20 s). */
export async function connectNats(url: string): Promise<NatsConnection> {
  return connectAs(url, 'admin', { name: 'e2gate-test', maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}
