import type { StreamConfig } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import type { StreamSpec } from './nats-options.js';
import { streamConfig, streamDifferences } from './stream-config.js';

const jobs: StreamSpec = {
  kind: 'stream',
  name: 'JOBS',
  subjects: ['jobs.dispatch.>'],
  retention: 'workqueue',
  maxBytes: 1024,
  maxAgeMs: 60_000,
  description: 'job dispatch',
};

/** A stream as the server reports it: our settings plus its own defaults. */
const existing = (overrides: Partial<StreamConfig> = {}): StreamConfig =>
  ({
    ...streamConfig(jobs),
    max_consumers: -1,
    num_replicas: 1,
    discard: 'old',
    ...overrides,
  }) as StreamConfig;

describe('streamConfig', () => {
  it('asks for file storage, the limits given and unlimited ones left out', () => {
    expect(streamConfig(jobs)).toEqual({
      name: 'JOBS',
      subjects: ['jobs.dispatch.>'],
      retention: 'workqueue',
      storage: 'file',
      max_bytes: 1024,
      max_age: 60_000_000_000,
      max_msgs: -1,
      description: 'job dispatch',
    });
  });
});

describe('streamDifferences', () => {
  it('finds none in a stream created from the spec, whatever its description or subject order', () => {
    expect(streamDifferences(jobs, existing({ description: 'old text' }))).toEqual([]);
    const twoSubjects = { ...jobs, subjects: ['a.>', 'b.>'] };
    expect(streamDifferences(twoSubjects, existing({ subjects: ['b.>', 'a.>'] }))).toEqual([]);
  });

  it('names every setting that differs, with the existing and the wanted value', () => {
    expect(
      streamDifferences(
        jobs,
        existing({ retention: 'limits', max_age: 0, subjects: ['jobs.>'], storage: 'memory' }),
      ),
    ).toEqual([
      'subjects: jobs.> → jobs.dispatch.>',
      'retention: limits → workqueue',
      'storage: memory → file',
      'max_age: 0 → 60000000000',
    ]);
  });
});
