import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '@e2gate/contracts';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * Follows a KV watch (every entry, then every change) until `signal` aborts: a watch that breaks (NATS away, bucket not
 * there yet) is opened again with backoff. Resolves once stopped. `stopWatch` is what shutdown calls to end the
 * current watch; a watch opened after the abort is stopped at once (nobody else would, and shutdown waits for it).
 */
export async function followKvWatch<T>(options: {
  open: () => Promise<AsyncIterable<T> & { stop(): void }>;
  onEntry: (entry: T) => void;
  signal: AbortSignal;
  onError: (message: string) => void;
  setCurrent: (watch: { stop(): void }) => void;
}): Promise<void> {
  let delay = RETRY_MIN_MS;
  while (!options.signal.aborted) {
    try {
      const watch = await options.open();
      if (options.signal.aborted) return watch.stop();
      options.setCurrent(watch);
      delay = RETRY_MIN_MS;
      for await (const entry of watch) options.onEntry(entry);
    } catch (error) {
      if (options.signal.aborted) return;
      options.onError(errorMessage(error));
    }
    if (options.signal.aborted) return;
    await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
    delay = Math.min(RETRY_MAX_MS, delay * 2);
  }
}
