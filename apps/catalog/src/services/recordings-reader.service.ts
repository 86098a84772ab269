import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  SnapshotBounds,
  type Channel,
  type PartialFailure,
  type Recording,
} from '@e2gate/contracts';
import type { MovieEntry } from '@e2gate/openwebif';
import { ReceiverRepository } from '../repositories/receiver.repository.js';
import { clip } from './receiver-bounds.js';
import { foldText } from './text-fold.js';

/** How far the walk over the receiver's recording directories goes. */
export const RecordingWalkLimits = {
  /** Directories read per refresh (locations and their subdirectories). */
  maxDirectories: 64,
  /** Subdirectory levels below a location. */
  maxDepth: 4,
} as const;

/** What one walk found; `truncated` names the bound that cut it. */
export interface RecordingsRead {
  recordings: Recording[];
  truncated?: PartialFailure;
}

/**
 * Reads every recording the receiver lists: each recording location (`/api/getlocations`, else the box's default
 * directory), then each directory's subdirectories breadth first, within `RecordingWalkLimits`. A directory that
 * fails fails the walk (the caller keeps the last good list): a partial list would look like deleted recordings.
 */
@Injectable()
export class RecordingsReader {
  constructor(private readonly receiver: ReceiverRepository) {}

  async read(channels: readonly Channel[], signal: AbortSignal): Promise<RecordingsRead> {
    const locations = await this.receiver.movieLocations(signal);
    const queue: { directory: string | undefined; depth: number }[] =
      locations.length > 0
        ? locations.map((directory) => ({ directory, depth: 0 }))
        : [{ directory: undefined, depth: 0 }];
    const seen = new Set<string>();
    const entries = new Map<string, MovieEntry>();
    let truncated: PartialFailure | undefined;
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (next.directory !== undefined && seen.has(next.directory)) continue;
      if (seen.size >= RecordingWalkLimits.maxDirectories) {
        truncated = failure(
          `more than ${RecordingWalkLimits.maxDirectories} recording directories; the rest not read`,
        );
        break;
      }
      const listing = await this.receiver.movies(next.directory, signal);
      const directory = withSlash(listing.directory || next.directory || '');
      if (seen.has(directory)) continue;
      seen.add(directory);
      for (const movie of listing.movies) if (movie.filename) entries.set(movie.filename, movie);
      if (next.depth < RecordingWalkLimits.maxDepth && directory !== '/') {
        for (const name of listing.subdirectories.map((n) => n.replace(/^\/+|\/+$/g, ''))) {
          // Only plain names below this directory: no `..`, `.` or nested paths from a confused or hostile box.
          if (name === '' || name === '.' || name === '..' || name.includes('/')) continue;
          queue.push({ directory: withSlash(`${directory}${name}`), depth: next.depth + 1 });
        }
      }
    }
    const byName = channelsByName(channels);
    const recordings = [...entries.values()]
      .map((movie) => toRecording(movie, byName))
      .sort((a, b) => (b.recordedAt ?? 0) - (a.recordedAt ?? 0) || a.file.localeCompare(b.file));
    if (recordings.length > SnapshotBounds.maxRecordings) {
      truncated = failure(
        `${recordings.length} recordings; the oldest beyond ${SnapshotBounds.maxRecordings} not listed`,
      );
      recordings.length = SnapshotBounds.maxRecordings;
    }
    return truncated ? { recordings, truncated } : { recordings };
  }
}

function withSlash(directory: string): string {
  return directory.endsWith('/') ? directory : `${directory}/`;
}

function failure(message: string): PartialFailure {
  return { scope: 'recordings', target: 'movielist', code: ErrorCode.LimitExceeded, message };
}

function channelsByName(channels: readonly Channel[]): Map<string, string> {
  const byName = new Map<string, string>();
  for (const channel of channels) {
    const key = foldText(channel.name);
    if (!byName.has(key)) byName.set(key, channel.id);
  }
  return byName;
}

/** `M:SS` or `H:MM:SS` (OpenWebIF's `length`) in seconds; undefined for `?:??` and anything else. */
export function parseRecordingLength(text: string): number | undefined {
  const parts = text.trim().split(':');
  if (parts.length < 2 || parts.length > 3 || !parts.every((part) => /^\d{1,6}$/.test(part)))
    return undefined;
  const seconds = parts.map(Number).reduce((total, part) => total * 60 + part, 0);
  return seconds <= 31 * 86_400 ? seconds : undefined;
}

function toRecording(movie: MovieEntry, byName: ReadonlyMap<string, string>): Recording {
  const channelId = byName.get(foldText(movie.serviceName));
  const durationSeconds = parseRecordingLength(movie.length);
  const recordedAt = movie.recordedAt;
  return {
    id: createHash('sha256').update(movie.filename).digest('hex').slice(0, 16),
    title: clip(movie.title || movie.filename.split('/').pop() || '', SnapshotBounds.maxTitleLength),
    description: clip(movie.description, SnapshotBounds.maxDescriptionLength),
    channelName: clip(movie.serviceName, SnapshotBounds.maxNameLength),
    ...(channelId === undefined ? {} : { channelId }),
    ...(recordedAt !== undefined && recordedAt > 0 && recordedAt <= 4_102_444_800 ? { recordedAt } : {}),
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    ...(movie.sizeBytes !== undefined && movie.sizeBytes >= 0 && Number.isSafeInteger(movie.sizeBytes)
      ? { sizeBytes: movie.sizeBytes }
      : {}),
    file: clip(movie.filename, SnapshotBounds.maxRefLength),
    ref: clip(movie.ref, SnapshotBounds.maxRefLength),
  };
}
