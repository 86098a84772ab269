import { describe, expect, it } from 'vitest';
import type { JobRecord } from '@e2gate/contracts';
import { artifactsToDrop, isOrphan } from './artifact-retention.js';

const a = (name: string, size: number, writtenAtMs: number) => ({ name, size, writtenAtMs });

describe('artifactsToDrop', () => {
  const stored = [a('new', 40, 300), a('old', 30, 100), a('mid', 20, 200)];

  it('drops nothing while the new one fits and nothing expired', () => {
    expect(
      artifactsToDrop(stored, { incomingBytes: 10, maxBytes: 100, expiredBeforeMs: 0, keep: new Set() }),
    ).toEqual([]);
  });

  it('drops the oldest first until the new one fits', () => {
    expect(
      artifactsToDrop(stored, { incomingBytes: 40, maxBytes: 100, expiredBeforeMs: 0, keep: new Set() }),
    ).toEqual(['old']);
    expect(
      artifactsToDrop(stored, { incomingBytes: 50, maxBytes: 100, expiredBeforeMs: 0, keep: new Set() }),
    ).toEqual(['old', 'mid']);
  });

  it('drops everything past the retention time, whatever the space', () => {
    expect(
      artifactsToDrop(stored, { incomingBytes: 0, maxBytes: 1e9, expiredBeforeMs: 250, keep: new Set() }),
    ).toEqual(['old', 'mid']);
  });

  it('never drops an artefact being kept', () => {
    expect(
      artifactsToDrop(stored, {
        incomingBytes: 50,
        maxBytes: 100,
        expiredBeforeMs: 1e9,
        keep: new Set(['old']),
      }),
    ).toEqual(['new', 'mid']);
  });
});

describe('isOrphan', () => {
  const artifact = { name: 'art_1', size: 1, writtenAtMs: 0, jobId: 'job_1', attempt: 1 };
  const job = (patch: Partial<JobRecord>) =>
    ({ id: 'job_1', attempt: 1, state: 'running', ...patch }) as JobRecord;

  it('keeps the artefact a job names as its result, and one its writing attempt may still promote', () => {
    expect(
      isOrphan(artifact, job({ state: 'succeeded', result: { artifactId: 'art_1' } as never }), 10, 5),
    ).toBe(false);
    expect(isOrphan(artifact, job({ state: 'running' }), 10, 5)).toBe(false);
  });

  it('drops one whose attempt lost the job (a later attempt, or the job ended without it)', () => {
    expect(isOrphan(artifact, job({ state: 'running', attempt: 2 }), 10, 5)).toBe(true);
    expect(
      isOrphan(artifact, job({ state: 'succeeded', result: { artifactId: 'art_2' } as never }), 10, 5),
    ).toBe(true);
    expect(isOrphan(artifact, job({ state: 'canceled' }), 10, 5)).toBe(true);
    expect(isOrphan(artifact, null, 10, 5)).toBe(true);
  });

  it('leaves young artefacts and ones written by no job alone', () => {
    expect(isOrphan(artifact, null, 3, 5)).toBe(false);
    expect(isOrphan({ ...artifact, jobId: undefined }, null, 10, 5)).toBe(false);
  });
});
