/** EPG endpoints: `/api/epgservice`, `/api/epgbouquet` (= epgmulti), now/next variants (OpenWebIF models/epg.py). */
import { BoxFailure, json, missingParameter, type BoxContext, type WebReply } from './box-context.js';
import { eventsForChannel, nowNext, type SimEpgEvent } from './epg.js';
import { piconUrl } from './api-services.js';
import type { SimBouquet, SimChannel, SimEntry } from './model.js';
import type { PyJson } from './py-json.js';
import { FLAG_INVISIBLE, FLAG_MARKER, decodeRef } from './refs.js';
import { convertDesc, filterName } from './text.js';

/** One event of `/api/epgservice` (convertEventSingle, encode=True). */
export function serviceEventRow(
  ctx: BoxContext,
  event: SimEpgEvent,
  sref: string,
  picon: string,
  sname: string,
  nowSec: number,
): PyJson {
  const end = event.begin + event.duration;
  return {
    id: event.id,
    sref,
    picon,
    date: ctx.clock.date(event.begin),
    begin: ctx.clock.time(event.begin),
    begin_timestamp: event.begin,
    duration: Math.trunc(event.duration / 60),
    duration_sec: event.duration,
    end: ctx.clock.time(end),
    title: filterName(event.title, true),
    shortdesc: convertDesc(event.shortdesc, true),
    longdesc: convertDesc(event.longdesc, true),
    sname: filterName(sname, true),
    tleft: Math.trunc((end - nowSec) / 60),
    progress: event.duration === 0 ? 0 : Math.trunc((((nowSec - event.begin) * 100) / event.duration) * 4),
    now_timestamp: nowSec,
    genre: event.genre,
    genreid: event.genreid,
  };
}

/** One event of the bouquet/now-next family (convertEvent); `null` event = the box's "N/A" placeholder. */
export function bouquetEventRow(
  event: SimEpgEvent | null,
  sref: string,
  sname: string,
  nowSec: number,
): PyJson {
  if (!event) {
    return {
      id: null,
      begin_timestamp: 0,
      duration_sec: 0,
      title: 'N/A',
      shortdesc: '',
      longdesc: '',
      sref,
      sname: filterName(sname, true),
      now_timestamp: 0,
      remaining: 0,
      genre: '',
      genreid: 0,
    };
  }
  return {
    id: event.id,
    begin_timestamp: event.begin,
    duration_sec: event.duration,
    title: filterName(event.title, true),
    shortdesc: convertDesc(event.shortdesc, true),
    longdesc: convertDesc(event.longdesc, true),
    sref,
    sname: filterName(sname, true),
    now_timestamp: nowSec,
    remaining: event.begin + event.duration - nowSec,
    genre: event.genre,
    genreid: event.genreid,
  };
}

const nowSeconds = (ctx: BoxContext): number => Math.floor(ctx.now() / 1000);

/** Empty sRef: the box's dummy event, with int 0 where strings belong. */
function dummyServiceEvent(): PyJson {
  return {
    sref: '',
    id: 0,
    date: 0,
    begin: 0,
    begin_timestamp: 0,
    duration: 0,
    duration_sec: 0,
    end: 0,
    title: 'N/A',
    shortdesc: '',
    sname: '',
    longdesc: '',
    tleft: 0,
    progress: 0,
    now_timestamp: 0,
    genre: '',
    genreid: 0,
  };
}

export interface ServiceEpg {
  ref: string;
  channel: SimChannel | null;
  events: SimEpgEvent[];
}

/** The `failingEpg` fault: a pattern is a service's exact name (case-insensitive) or its ref in any spelling. */
export function isFailingEpgService(ctx: BoxContext, channel: SimChannel): boolean {
  const name = channel.name.toLowerCase();
  return ctx.faults().failingEpg.some((pattern) => {
    const needle = pattern.trim();
    if (needle === '') return false;
    return needle.toLowerCase() === name || ctx.index.service(decodeRef(needle))?.ref === channel.ref;
  });
}

/** Resolves sRef and computes its events; shared by the JSON and XML forms. */
export function serviceEpg(ctx: BoxContext, query: URLSearchParams): ServiceEpg {
  const ref = decodeRef(query.get('sRef') ?? '');
  const channel = ctx.index.service(ref);
  if (channel && isFailingEpgService(ctx, channel)) {
    throw new BoxFailure(
      'Traceback (most recent call last):\n' +
        '  File "/usr/lib/enigma2/python/Plugins/Extensions/OpenWebif/controllers/models/epg.py", line 212, in getChannelEpg\n' +
        `    events = epgcache.lookupEvent(["IBDCTSERNX", (sRef, 0, time, endtime)])\nRuntimeError: EPG of ${channel.ref} could not be read`,
    );
  }
  const window = { time: query.get('time'), endTime: query.get('endTime') };
  const events = channel ? eventsForChannel(ctx.dataset, channel, window, ctx.now(), 'service') : [];
  return { ref, channel, events };
}

export function epgService(ctx: BoxContext, query: URLSearchParams): WebReply {
  const missing = query.has('sRef') ? null : missingParameter(query, 'sRef');
  if (missing) return missing;
  if (query.get('sRef') === '') return json({ events: [dummyServiceEvent()], result: true });
  const { ref, channel, events } = serviceEpg(ctx, query);
  if (!channel || events.length === 0) return json({ events: [], result: true });
  const picon = piconUrl(ctx, ref, channel.name);
  const nowSec = nowSeconds(ctx);
  return json({
    events: events.map((event) => serviceEventRow(ctx, event, ref, picon, channel.name, nowSec)),
    result: true,
  });
}

/** Entries whose EPG the box looks up for a bouquet: everything but markers and directories. */
function epgEntries(bouquet: SimBouquet, includeInvisible: boolean): SimEntry[] {
  return bouquet.entries.filter(
    (entry) =>
      !(entry.flags & FLAG_MARKER) &&
      entry.kind !== 'subbouquet' &&
      (includeInvisible || !(entry.flags & FLAG_INVISIBLE)),
  );
}

function entryChannel(ctx: BoxContext, entry: SimEntry): SimChannel | null {
  return entry.kind === 'iptv' ? null : ctx.index.service(entry.ref);
}

/** Number of services an epgbouquet call covers (its cost grows with it). */
export function epgBouquetSize(ctx: BoxContext, query: URLSearchParams): number {
  const bouquet = ctx.index.bouquet(query.get('bRef') ?? '');
  return bouquet ? epgEntries(bouquet, true).length : 0;
}

export function epgBouquet(ctx: BoxContext, query: URLSearchParams): WebReply {
  const missing = missingParameter(query, 'bRef');
  if (missing) return missing;
  const bouquet = ctx.index.bouquet(query.get('bRef') ?? '');
  if (!bouquet) return json({ events: [], result: false });
  const nowSec = nowSeconds(ctx);
  const window = { time: query.get('time'), endTime: query.get('endTime') };
  const events: PyJson[] = [];
  for (const entry of epgEntries(bouquet, true)) {
    const channel = entryChannel(ctx, entry);
    const found = channel ? eventsForChannel(ctx.dataset, channel, window, ctx.now(), 'bouquet') : [];
    if (found.length === 0) events.push(bouquetEventRow(null, entry.ref, entry.name, nowSec));
    for (const event of found) events.push(bouquetEventRow(event, entry.ref, entry.name, nowSec));
  }
  return json({ events, result: true });
}

type NowNextMode = 'now' | 'next' | 'nownext';

function nowNextRows(
  ctx: BoxContext,
  ref: string,
  name: string,
  channel: SimChannel | null,
  mode: NowNextMode,
): PyJson[] {
  const nowSec = nowSeconds(ctx);
  const [current, next] = channel ? nowNext(ctx.dataset, channel, ctx.now()) : [null, null];
  const rows: PyJson[] = [];
  if (mode !== 'next') rows.push(bouquetEventRow(current, ref, name, nowSec));
  if (mode !== 'now') rows.push(bouquetEventRow(next, ref, name, nowSec));
  return rows;
}

/** `/api/epgnow|epgnext|epgnownext?bRef=`: one event (or two) per visible service, alternatives listed. */
export function epgBouquetNowNext(ctx: BoxContext, query: URLSearchParams, mode: NowNextMode): WebReply {
  const missing = missingParameter(query, 'bRef');
  if (missing) return missing;
  const bouquet = ctx.index.bouquet(query.get('bRef') ?? '');
  if (!bouquet) return json({ events: [], result: false });
  const events: PyJson[] = [];
  for (const entry of epgEntries(bouquet, false)) {
    for (const row of nowNextRows(ctx, entry.ref, entry.name, entryChannel(ctx, entry), mode)) {
      if (entry.kind === 'alternatives' && row && typeof row === 'object' && !Array.isArray(row)) {
        row['asrefs'] = entry.group.entries.map((member) => member.ref);
      }
      events.push(row);
    }
  }
  return json({ events, isplayable: [], result: true });
}

/** `/api/epgservicenow|next|nownext?sRef=`. */
export function epgServiceNowNext(ctx: BoxContext, query: URLSearchParams, mode: NowNextMode): WebReply {
  const missing = missingParameter(query, 'sRef');
  if (missing) return missing;
  const ref = decodeRef(query.get('sRef') ?? '');
  const channel = ctx.index.service(ref);
  const rows = nowNextRows(ctx, ref, channel?.name ?? '', channel, mode);
  if (mode === 'nownext' && !channel) return json({ events: [{}, {}], result: true });
  return json({ events: rows, result: true });
}
