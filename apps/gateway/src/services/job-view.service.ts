import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { JobRecord } from '@e2gate/contracts';
import { JobStore } from '@e2gate/nats';
import { JobIndex } from './job-index.js';
import { followKvWatch } from './kv-follower.js';

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

  private follow(): Promise<void> {
    return followKvWatch({
      open: () => this.store.watch(),
      signal: this.stop.signal,
      setCurrent: (watch) => (this.current = watch),
      onError: (message) => this.logger.warn(`job watch failed, retrying: ${message}`),
      onEntry: (entry) => {
        const jobId = entry.key.slice(2);
        if (entry.operation !== 'PUT' || entry.length === 0) {
          this.index.remove(jobId);
          return;
        }
        const job = entry.json<JobRecord>();
        this.index.upsert(job, entry.created.getTime());
        for (const listener of this.listeners) listener(job);
      },
    });
  }
}
