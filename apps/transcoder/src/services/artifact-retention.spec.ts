import { describe, expect, it } from 'vitest';
import { artifactsToDrop } from './artifact-retention.js';

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
