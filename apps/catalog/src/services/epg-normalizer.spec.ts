import { describe, expect, it } from 'vitest';
import { SnapshotBounds } from '@e2gate/contracts';
import type { ReceiverEvent } from '@e2gate/openwebif';
import { normalizeEpg } from './epg-normalizer.js';

const event = (
  id: number,
  begin: number,
  durationSec: number,
  extra: Partial<ReceiverEvent> = {},
): ReceiverEvent => ({
  id,
  begin,
  durationSec,
  title: `T${id}`,
  shortDescription: '',
  longDescription: '',
  genre: '',
  ...extra,
});

describe('normalizeEpg', () => {
  it('sorts, computes stop, drops zero-length, overlapping and out-of-window events', () => {
    const { events, stats } = normalizeEpg(
      [
        event(3, 2000, 600),
        event(1, 1000, 600),
        event(2, 1300, 300), // overlaps 1
        event(4, 2600, 0), // zero length
        event(5, 100, 200), // ends before the window
        event(6, 9000, 600), // starts after the window
      ],
      { from: 900, to: 5000 },
    );
    expect(events.map((e) => [e.id, e.start, e.stop])).toEqual([
      [1, 1000, 1600],
      [3, 2000, 2600],
    ]);
    expect(stats).toEqual({ kept: 2, droppedZeroLength: 1, droppedOverlapping: 1, droppedOutsideWindow: 2 });
  });

  it('keeps short and long description apart and drops a subtitle equal to the title', () => {
    const { events } = normalizeEpg(
      [
        event(1, 1000, 60, {
          title: 'News',
          shortDescription: 'Evening edition',
          longDescription: 'Long',
          genre: 'News',
          genreId: 32,
        }),
        event(2, 1060, 60, { title: 'Film', shortDescription: 'Film' }),
      ],
      { from: 0, to: 5000 },
    );
    expect(events[0]).toEqual({
      id: 1,
      start: 1000,
      stop: 1060,
      title: 'News',
      subtitle: 'Evening edition',
      description: 'Long',
      genre: 'News',
      genreId: 32,
    });
    expect(events[1]).toEqual({ id: 2, start: 1060, stop: 1120, title: 'Film' });
  });

  it('cuts overlong text to the snapshot bounds and drops implausibly long events', () => {
    const { events, stats } = normalizeEpg(
      [
        event(1, 1000, 600, { title: 'T'.repeat(5000), longDescription: 'D'.repeat(100_000), genreId: 999 }),
        event(2, 2000, 30 * 86_400),
      ],
      { from: 900, to: 5000 },
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.title).toHaveLength(SnapshotBounds.maxTitleLength);
    expect(events[0]!.description).toHaveLength(SnapshotBounds.maxDescriptionLength);
    expect(events[0]!.genreId).toBeUndefined();
    expect(stats.droppedZeroLength).toBe(1);
  });
});
