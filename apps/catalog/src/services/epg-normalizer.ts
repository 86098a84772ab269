import { SnapshotBounds, type EpgEvent } from '@e2gate/contracts';
import type { ReceiverEvent } from '@e2gate/openwebif';
import { clip } from './receiver-bounds.js';

const MAX_GENRE_LENGTH = 256;
/** Longer "events" are receiver noise (a broken duration field), not programmes. */
const MAX_EVENT_SECONDS = 7 * 86_400;

export interface NormalizeStats {
  kept: number;
  droppedZeroLength: number;
  droppedOverlapping: number;
  droppedOutsideWindow: number;
}

/**
 * Receiver events → guide events: UTC epoch seconds, stop = start + duration, zero-length entries and
 * entries overlapping an earlier one dropped, only events that touch [from, to) kept, sorted by start.
 */
export function normalizeEpg(
  events: readonly ReceiverEvent[],
  window: { from: number; to: number },
): { events: EpgEvent[]; stats: NormalizeStats } {
  const stats: NormalizeStats = {
    kept: 0,
    droppedZeroLength: 0,
    droppedOverlapping: 0,
    droppedOutsideWindow: 0,
  };
  const sorted = [...events].sort((a, b) => a.begin - b.begin || b.durationSec - a.durationSec);
  const out: EpgEvent[] = [];
  let lastStop = -Infinity;
  for (const event of sorted) {
    if (event.durationSec <= 0 || event.durationSec > MAX_EVENT_SECONDS) {
      stats.droppedZeroLength++;
      continue;
    }
    const start = event.begin;
    const stop = event.begin + event.durationSec;
    if (stop <= window.from || start >= window.to) {
      stats.droppedOutsideWindow++;
      continue;
    }
    if (start < lastStop) {
      stats.droppedOverlapping++;
      continue;
    }
    out.push(toEpgEvent(event, start, stop));
    lastStop = stop;
  }
  stats.kept = out.length;
  return { events: out, stats };
}

function toEpgEvent(event: ReceiverEvent, start: number, stop: number): EpgEvent {
  const subtitle =
    event.shortDescription && event.shortDescription !== event.title ? event.shortDescription : '';
  const { maxTitleLength, maxDescriptionLength } = SnapshotBounds;
  return {
    id: event.id,
    start,
    stop,
    title: clip(event.title || '(untitled)', maxTitleLength),
    ...(subtitle ? { subtitle: clip(subtitle, maxTitleLength) } : {}),
    ...(event.longDescription ? { description: clip(event.longDescription, maxDescriptionLength) } : {}),
    ...(event.genre ? { genre: clip(event.genre, MAX_GENRE_LENGTH) } : {}),
    ...(event.genreId === undefined || event.genreId <= 0 || event.genreId > 255
      ? {}
      : { genreId: event.genreId }),
  };
}
