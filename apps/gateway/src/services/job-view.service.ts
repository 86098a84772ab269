import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { errorMessage, type JobRecord } from '@e2gate/contracts';
import { JobStore } from '@e2gate/nats';
import { JobIndex } from './job-index.js';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * This replica's view of every job: a watch of the `jobs` bucket (every record, then every change) kept in a
 * {@link JobIndex}. A broken watch (NATS away, bucket not there yet) starts over with backoff; a record that stops
 * changing for the retention time ages out of the bucket without an event (NATS 2.9), so the sweeper prunes it here too.
 */
@Injectable()
export class JobViewService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobViewService.name);
  readonly index = new JobIndex();
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private current: { stop(): void } | null = null;
  private readonly listeners = new Set<(job: JobRecord) => void>();

  constructor(private readonly store: JobStore) {}

  onApplicationBootstrap(): void {
    this.loop = this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    this.current?.stop();
    await this.loop;
  }

  /** Calls `listener` with every record change this replica sees; returns the unsubscribe function. */
  onChange(listener: (job: JobRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async follow(): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (!this.stop.signal.aborted) {
      try {
        const watch = await this.store.watch();
        // Shut down while the watch was being opened: nobody would stop it, and shutdown would wait for it forever.
        if (this.stop.signal.aborted) return watch.stop();
        this.current = watch;
        delay = RETRY_MIN_MS;
        for await (const entry of watch) {
          const jobId = entry.key.slice(2);
          if (entry.operation !== 'PUT' || entry.length === 0) {
            this.index.remove(jobId);
            continue;
          }
          const job = entry.json<JobRecord>();
          this.index.upsert(job, entry.created.getTime());
          for (const listener of this.listeners) listener(job);
        }
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.logger.warn(`job watch failed, retrying: ${errorMessage(error)}`);
      }
      if (this.stop.signal.aborted) return;
      await sleep(delay, undefined, { signal: this.stop.signal }).catch(() => undefined);
      delay = Math.min(RETRY_MAX_MS, delay * 2);
    }
  }
}
