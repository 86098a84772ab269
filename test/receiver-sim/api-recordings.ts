/**
 * `/api/movielist` and `/api/timerlist`: a few recordings and timers with the mixed field types real boxes send
 * (openwebif.md §8): filesize/recordingtime as int or string, "?:??" lengths, dirname "None", asrefs "".
 */
import { json, type BoxContext, type WebReply } from './box-context.js';
import type { FixtureName, SimChannel } from './model.js';
import type { PyJson } from './py-json.js';

export const MOVIE_ROOT = '/media/hdd/movie/';

export interface SimRecording {
  directory: string;
  filename: string;
  channel: SimChannel;
  title: string;
  description: string;
  recordingTime: number;
  lengthSec: number | null;
  fileSize: number;
  fixture: FixtureName;
  /** Serialise numbers as strings, as some images do. */
  stringly: boolean;
}

const TITLES: readonly [string, string, string][] = [
  ['Tatort: Schöne Grüße aus Köln', 'Krimi, D 2024', 'Die Kommissare ermitteln im Karneval.'],
  ['Terra X: Großbritanniens Küsten', 'Dokumentation', 'Von Cornwall bis zu den Orkney-Inseln.'],
  ['Ski alpin: Weltcup in Kitzbühel', 'Live', 'Abfahrt der Herren & Siegerehrung.'],
  ['Die Sendung mit der Maus', 'Magazin', 'Lach- & Sachgeschichten.'],
  ['Der Bergdoktor', 'Folge 12', 'Dr. Gruber hat eine schwere Entscheidung zu treffen.'],
];

/**
 * A box's recordings do not move: their times (and so their file names) are fixed when the simulator first lists
 * them, not recomputed from the clock at every request (a file listed at 05:50 must still be there at 06:10).
 */
const listedAt = new WeakMap<BoxContext['dataset'], number>();

export function recordings(ctx: BoxContext): SimRecording[] {
  const tv = ctx.dataset.channels.filter((channel) => channel.kind === 'tv' && channel.counted);
  if (tv.length === 0) return [];
  let nowSec = listedAt.get(ctx.dataset);
  if (nowSec === undefined) listedAt.set(ctx.dataset, (nowSec = Math.floor(ctx.now() / 1000)));
  return TITLES.map(([title, description], i) => {
    const channel = tv[i % tv.length]!;
    const recordingTime = Math.floor((nowSec - (i + 1) * 86_400 - i * 3_600) / 300) * 300;
    const directory = i === 4 ? `${MOVIE_ROOT}Serien/` : MOVIE_ROOT;
    const name = `${ctx.clock.stamp(recordingTime)} - ${channel.name} - ${title}`.replace(/[/:*?"<>|]/g, '_');
    return {
      directory,
      filename: `${directory}${name}.ts`,
      channel,
      title,
      description,
      recordingTime,
      lengthSec: i === 2 ? null : 20 * (i + 1) * 60,
      fileSize: 1_200_000_000 + i * 987_654_321,
      fixture: channel.fixture,
      stringly: i === 3,
    };
  });
}

function readableSize(bytes: number): string {
  if (bytes > 1073741824) return `${(bytes / 1073741824).toFixed(2)} GB`;
  if (bytes > 1048576) return `${(bytes / 1048576).toFixed(2)} MB`;
  return `${(bytes / 1024).toFixed(2)} kB`;
}

function movieRow(ctx: BoxContext, recording: SimRecording, index: number): PyJson {
  const ref = `1:0:0:0:0:0:0:0:0:0:${recording.filename}`;
  const longDescription = TITLES[index % TITLES.length]?.[2] ?? '';
  return {
    filename: recording.filename,
    filename_stripped: recording.filename.split('/').pop() ?? '',
    serviceref: ref,
    length:
      recording.lengthSec === null
        ? '?:??'
        : `${Math.floor(recording.lengthSec / 60)}:${String(recording.lengthSec % 60).padStart(2, '0')}`,
    lastseen: index * 25,
    filesize_readable: readableSize(recording.fileSize),
    recordingtime: recording.stringly ? String(recording.recordingTime) : recording.recordingTime,
    begintime: `${ctx.clock.date(recording.recordingTime)}, ${ctx.clock.time(recording.recordingTime)}`,
    eventname: recording.title,
    servicename: recording.channel.name,
    tags: index === 0 ? 'Krimi Tatort' : '',
    fullname: ref,
    descriptionExtended: longDescription,
    description: recording.description,
    filesize: recording.stringly ? String(recording.fileSize) : recording.fileSize,
  };
}

export function movieList(ctx: BoxContext, query: URLSearchParams): WebReply {
  let directory = query.get('dirname') ?? MOVIE_ROOT;
  if (!directory.endsWith('/')) directory += '/';
  const all = recordings(ctx);
  const known = new Set([MOVIE_ROOT, ...all.map((recording) => recording.directory)]);
  if (!known.has(directory)) return json({ movies: [], locations: [], bookmarks: [], directory: '' });
  const movies = all
    .map((recording, index) => ({ recording, index }))
    .filter(({ recording }) => recording.directory === directory)
    .map(({ recording, index }) => movieRow(ctx, recording, index));
  const bookmarks = directory === MOVIE_ROOT ? ['Serien'] : [];
  return json({ movies, bookmarks, directory, recursive: false });
}

/** `/api/getlocations`: the recording locations (one disk here; its subdirectories come from the movie list). */
export function movieLocations(): WebReply {
  return json({ locations: [MOVIE_ROOT], default: MOVIE_ROOT });
}

export function timerList(ctx: BoxContext): WebReply {
  const tv = ctx.dataset.channels.filter((channel) => channel.kind === 'tv' && channel.counted);
  const nowSec = Math.floor(ctx.now() / 1000);
  const timers: PyJson[] = tv.slice(0, 2).map((channel, i) => {
    const begin = Math.floor(nowSec / 3600) * 3600 + (i + 2) * 3600;
    const end = begin + 5400;
    return {
      serviceref: channel.ref,
      servicename: channel.name,
      eit: 0,
      name: i === 0 ? 'Tatort' : 'Fußball: Bundesliga',
      description: i === 0 ? 'Krimi' : '',
      descriptionextended: '',
      disabled: i,
      begin,
      end,
      duration: end - begin,
      startprepare: begin - 20,
      justplay: i,
      afterevent: 3,
      dirname: i === 0 ? MOVIE_ROOT : 'None',
      tags: '',
      logentries: [],
      backoff: 0,
      firsttryprepare: true,
      state: 0,
      nextactivation: null,
      realbegin: ctx.clock.time(begin),
      realend: ctx.clock.time(end),
      asrefs: i === 0 ? '' : [],
      vpsplugin_enabled: false,
      always_zap: 0,
      repeated: 0,
      pipzap: 0,
      isAutoTimer: 0,
      filename: '',
      recordingtype: 'normal',
      marginbefore: 5,
      marginafter: 10,
    };
  });
  return json({ version: 2, result: true, timers });
}
