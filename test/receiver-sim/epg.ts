/**
 * EPG generated on demand, never stored: a channel's schedule is a pure function of (seed, channel, time).
 * Time is cut into 6-hour blocks; each block is filled with programmes of 5–120 minutes from its own seeded
 * generator, so any window costs only the blocks it touches. Occasional quirks a client must drop: a
 * zero-length event and an event overlapping the next one.
 */
import type { SimChannel, SimDataset } from './model.js';
import { indexFor } from './lookup.js';
import { GENRES, PROGRAMMES, longDescription, scheduleFamily, shortDescription } from './epg-text.js';
import { Rng, hash32 } from './random.js';

export interface SimEpgEvent {
  /** DVB event id (16 bit, unique per channel within months). */
  id: number;
  /** Epoch seconds. */
  begin: number;
  /** Seconds (0 for the zero-length quirk). */
  duration: number;
  /** Raw text as the box holds it: may contain U+008A line breaks and U+0086/U+0087 emphasis codes. */
  title: string;
  shortdesc: string;
  longdesc: string;
  genre: string;
  genreid: number;
  quirk?: 'zero-length' | 'overlap';
}

export const EPG_BLOCK_SECONDS = 6 * 3600;
const MINUTE = 60;
const EVENTS_PER_BLOCK_ID_SPACE = 97; // > 72 five-minute slots + quirks, keeps ids unique per block
const QUIRK_PROBABILITY = 0.03;

/** The events of one 6-hour block of a channel, ordered by begin. */
export function blockEvents(channel: SimChannel, seed: number, block: number): SimEpgEvent[] {
  const rng = new Rng(hash32(seed, channel.epgKey, block));
  const programmes = PROGRAMMES[scheduleFamily(channel.name)];
  const start = block * EPG_BLOCK_SECONDS;
  const end = start + EPG_BLOCK_SECONDS;
  const idBase = channel.epgKey & 0xffff;
  const nextId = (index: number): number =>
    ((idBase + block * EVENTS_PER_BLOCK_ID_SPACE + index) % 0xffff) + 1;
  const events: SimEpgEvent[] = [];
  const zeroAt = rng.chance(QUIRK_PROBABILITY) ? rng.int(1, 4) : -1;
  const overlapAt = rng.chance(QUIRK_PROBABILITY) ? rng.int(0, 3) : -1;
  let t = start;
  let index = 0;
  while (t < end) {
    const programme = rng.pick(programmes);
    const minutes = rng.chance(0.8)
      ? rng.pick(programme.minutes)
      : rng.pick([5, 10, 15, 20, 30, 45, 60, 90, 120]);
    const duration = Math.min(minutes * MINUTE, end - t);
    const [genreid, genre] = GENRES[programme.genre];
    const event: SimEpgEvent = {
      id: nextId(index),
      begin: t,
      duration,
      title: programme.title,
      shortdesc: shortDescription(rng),
      longdesc: longDescription(rng),
      genre,
      genreid,
    };
    if (index === zeroAt) {
      events.push({
        ...event,
        id: nextId(EVENTS_PER_BLOCK_ID_SPACE - 1),
        duration: 0,
        title: 'Programmänderung',
        quirk: 'zero-length',
      });
    }
    if (index === overlapAt && t + duration < end) {
      event.duration += 5 * MINUTE;
      event.quirk = 'overlap';
    }
    events.push(event);
    t += duration;
    index++;
  }
  return events;
}

/** What the box holds: from the event running now until `epgDays` ahead (past events are purged). */
export function boxEpgRange(nowSec: number, epgDays: number): { from: number; until: number } {
  return { from: nowSec, until: nowSec + epgDays * 86_400 };
}

/**
 * The events of a channel that overlap [start, end), limited to what the box holds. The event running at
 * `start` is always included (Enigma2's startTimeQuery).
 */
export function channelEvents(
  channel: SimChannel,
  seed: number,
  epgDays: number,
  nowSec: number,
  start: number,
  end: number,
): SimEpgEvent[] {
  if (!channel.hasEpg || epgDays <= 0) return [];
  const box = boxEpgRange(nowSec, epgDays);
  const from = Math.max(start, box.from);
  const until = Math.min(end, box.until);
  if (until < from) return [];
  const out: SimEpgEvent[] = [];
  const firstBlock = Math.floor(from / EPG_BLOCK_SECONDS) - 1; // an overlap event may reach into the next block
  const lastBlock = Math.floor(until / EPG_BLOCK_SECONDS);
  for (let block = firstBlock; block <= lastBlock; block++) {
    for (const event of blockEvents(channel, seed, block)) {
      const eventEnd = event.begin + event.duration;
      if (eventEnd <= from || event.begin >= box.until) continue;
      if (event.begin >= until && event.begin > from) continue;
      out.push(event);
    }
  }
  return out;
}

export interface EpgQuery {
  time?: number | string | null;
  endTime?: number | string | null;
}

function parseIntParam(value: number | string | null | undefined): number | null {
  if (value === undefined || value === null || value === '') return null;
  const parsed = typeof value === 'number' ? value : Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? Math.trunc(parsed) : null;
}

/**
 * The lookup window of a request (openwebif.md §3/§7). `time` −1 or absent = now. `/api/epgservice`: `endTime`
 * below 10^9 is a span in minutes, otherwise an absolute epoch. `/api/epgbouquet`: OpenWebIF resets values over
 * 100000 to −1 and treats 0 as absent. Unbounded windows end where the box's EPG ends.
 */
export function epgWindow(
  query: EpgQuery,
  nowSec: number,
  path: 'service' | 'bouquet',
): { start: number; end: number } {
  const time = parseIntParam(query.time);
  const start = time === null || time === -1 ? nowSec : time;
  let endTime = parseIntParam(query.endTime);
  if (path === 'bouquet' && endTime !== null && (endTime > 100_000 || endTime === 0)) endTime = -1;
  if (endTime === null || endTime < 0) return { start, end: Number.POSITIVE_INFINITY };
  if (endTime < 1_000_000_000) return { start, end: start + endTime * MINUTE };
  return { start, end: endTime };
}

/**
 * The events `/api/epgservice?sRef=&time=&endTime=` returns for a ref (raw text, before the box's HTML escaping),
 * for tests to use as the expected result. `nowMs` is the simulator's clock.
 */
export function epgEventsFor(
  dataset: SimDataset,
  sref: string,
  query: EpgQuery = {},
  nowMs = Date.now(),
): SimEpgEvent[] {
  const channel = indexFor(dataset).service(sref);
  if (!channel) return [];
  return eventsForChannel(dataset, channel, query, nowMs, 'service');
}

export function eventsForChannel(
  dataset: SimDataset,
  channel: SimChannel,
  query: EpgQuery,
  nowMs: number,
  path: 'service' | 'bouquet',
): SimEpgEvent[] {
  const nowSec = Math.floor(nowMs / 1000);
  const { start, end } = epgWindow(query, nowSec, path);
  return channelEvents(channel, dataset.seed, dataset.epgDays, nowSec, start, end);
}

/** The event running at `atSec` and the one after it (now/next). */
export function nowNext(
  dataset: SimDataset,
  channel: SimChannel,
  nowMs: number,
): [SimEpgEvent | null, SimEpgEvent | null] {
  const nowSec = Math.floor(nowMs / 1000);
  const events = channelEvents(
    channel,
    dataset.seed,
    dataset.epgDays,
    nowSec,
    nowSec,
    nowSec + 6 * 3600,
  ).filter((event) => event.duration > 0);
  const current =
    events.find((event) => event.begin <= nowSec && event.begin + event.duration > nowSec) ?? null;
  const next = events.find((event) => event.begin > nowSec) ?? null;
  return [current, next];
}
