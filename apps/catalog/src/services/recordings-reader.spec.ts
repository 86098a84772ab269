import { describe, expect, it } from 'vitest';
import type { Channel } from '@e2gate/contracts';
import type { MovieDirectory, MovieEntry } from '@e2gate/openwebif';
import type { ReceiverRepository } from '../repositories/receiver.repository.js';
import { parseRecordingLength, RecordingsReader, RecordingWalkLimits } from './recordings-reader.service.js';

const signal = new AbortController().signal;

function movie(filename: string, overrides: Partial<MovieEntry> = {}): MovieEntry {
  return {
    filename,
    ref: `1:0:0:0:0:0:0:0:0:0:${filename}`,
    title: filename.split('/').pop() ?? '',
    serviceName: 'Das Erste HD',
    description: '',
    recordedAt: 1_790_000_000,
    sizeBytes: 1_000,
    length: '45:00',
    ...overrides,
  };
}

/** A receiver's movie directories in memory: path → its recordings and subdirectory names. */
function receiver(locations: string[], tree: Record<string, Omit<MovieDirectory, 'directory'>>) {
  const read: (string | undefined)[] = [];
  const stub = {
    movieLocations: async () => locations,
    movies: async (directory: string | undefined) => {
      read.push(directory);
      const key = directory ?? '/media/hdd/movie/';
      const entry = tree[key];
      if (!entry) throw new Error(`no directory ${key}`);
      return { directory: key, ...entry };
    },
  };
  return { repository: stub as unknown as ReceiverRepository, read };
}

const channels = [{ id: 'das-erste-hd-1', name: 'Das Erste HD' }] as Channel[];

describe('RecordingsReader', () => {
  it('walks every location and subdirectory once, newest first, channels matched by name', async () => {
    const { repository, read } = receiver(['/media/hdd/movie/', '/media/usb/'], {
      '/media/hdd/movie/': {
        subdirectories: ['Serien', '../etc'],
        movies: [
          movie('/media/hdd/movie/a.ts', { recordedAt: 100 }),
          movie('/media/hdd/movie/b.ts', { recordedAt: 300 }),
        ],
      },
      '/media/hdd/movie/Serien/': {
        subdirectories: [],
        movies: [movie('/media/hdd/movie/Serien/c.ts', { recordedAt: 200, serviceName: 'das erste hd' })],
      },
      '/media/usb/': {
        subdirectories: [],
        movies: [movie('/media/usb/d.ts', { serviceName: 'Unknown TV', recordedAt: 0 })],
      },
    });
    const { recordings, truncated } = await new RecordingsReader(repository).read(channels, signal);
    expect(truncated).toBeUndefined();
    expect(read).toEqual(['/media/hdd/movie/', '/media/usb/', '/media/hdd/movie/Serien/']);
    expect(recordings.map((r) => r.file)).toEqual([
      '/media/hdd/movie/b.ts',
      '/media/hdd/movie/Serien/c.ts',
      '/media/hdd/movie/a.ts',
      '/media/usb/d.ts',
    ]);
    expect(recordings[1]).toMatchObject({ channelId: 'das-erste-hd-1', durationSeconds: 2_700 });
    expect(recordings[3]?.channelId).toBeUndefined();
    expect(recordings[3]?.recordedAt).toBeUndefined();
    expect(new Set(recordings.map((r) => r.id)).size).toBe(4);
  });

  it("reads the box's default directory when it names no locations", async () => {
    const { repository, read } = receiver([], {
      '/media/hdd/movie/': { subdirectories: [], movies: [movie('/x.ts')] },
    });
    const { recordings } = await new RecordingsReader(repository).read(channels, signal);
    expect(read).toEqual([undefined]);
    expect(recordings).toHaveLength(1);
  });

  it('stops at the directory bound in an endless tree, and reports the cut', async () => {
    // Every directory has ten subdirectories, one of them itself again (a symlink loop on the box).
    const read: string[] = [];
    const endless = {
      movieLocations: async () => ['/r/'],
      movies: async (directory: string | undefined): Promise<MovieDirectory> => {
        read.push(directory ?? '');
        return {
          directory: directory ?? '/r/',
          subdirectories: ['.', ...Array.from({ length: 9 }, (_, n) => `d${n}`)],
          movies: [movie(`${directory}x.ts`)],
        };
      },
    } as unknown as ReceiverRepository;
    const { recordings, truncated } = await new RecordingsReader(endless).read(channels, signal);
    expect(truncated).toMatchObject({ scope: 'recordings', code: 'LIMIT_EXCEEDED' });
    expect(read).toHaveLength(RecordingWalkLimits.maxDirectories);
    expect(new Set(read).size).toBe(read.length);
    expect(recordings).toHaveLength(RecordingWalkLimits.maxDirectories);
  });

  it('fails as a whole when a directory cannot be read (a partial list would look like deletions)', async () => {
    const { repository } = receiver(['/media/hdd/movie/'], {
      '/media/hdd/movie/': { subdirectories: ['gone'], movies: [movie('/media/hdd/movie/a.ts')] },
    });
    await expect(new RecordingsReader(repository).read(channels, signal)).rejects.toThrow('no directory');
  });
});

describe('parseRecordingLength', () => {
  it.each([
    ['45:00', 2_700],
    ['0:07', 7],
    ['1:02:03', 3_723],
    ['135:10', 8_110],
  ])('%s → %d s', (text, seconds) => expect(parseRecordingLength(text)).toBe(seconds));

  it.each(['?:??', '', '12', '1:2:3:4', '-1:00', 'a:bc', '99999999:00'])('%j → undefined', (text) =>
    expect(parseRecordingLength(text)).toBeUndefined(),
  );
});
