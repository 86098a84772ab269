import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDataset } from './dataset.js';
import { EPG_BLOCK_SECONDS, blockEvents, channelEvents, epgEventsFor, epgWindow, nowNext } from './epg.js';
import type { SimChannel } from './model.js';

const dataset = generateDataset({ bouquets: 3, channels: 40, epgDays: 7, seed: 3, tuners: 4 });
const withEpg = dataset.channels.filter((channel) => channel.hasEpg && channel.kind === 'tv');
const NOW = Date.UTC(2025, 10, 21, 19, 7, 30);
const NOW_SEC = NOW / 1000;

/** All events of a channel in the box's range (the whole 7 days). */
const everything = (channel: SimChannel): ReturnType<typeof channelEvents> =>
  channelEvents(channel, dataset.seed, dataset.epgDays, NOW_SEC, NOW_SEC, Number.POSITIVE_INFINITY);

describe('EPG generator', () => {
  it('is deterministic per channel and time', () => {
    const channel = withEpg[0]!;
    expect(everything(channel)).toEqual(everything(channel));
    const other = generateDataset({ bouquets: 3, channels: 40, epgDays: 7, seed: 4, tuners: 4 });
    const same = other.channels.find((candidate) => candidate.name === channel.name)!;
    expect(channelEvents(same, other.seed, 7, NOW_SEC, NOW_SEC, Number.POSITIVE_INFINITY)).not.toEqual(
      everything(channel),
    );
  });

  it('fills each block back to back with 5–120 minute programmes, apart from the marked quirks', () => {
    for (const channel of withEpg.slice(0, 10)) {
      for (let block = 0; block < 200; block++) {
        const events = blockEvents(channel, dataset.seed, 100_000 + block).filter(
          (event) => event.quirk !== 'zero-length',
        );
        expect(events[0]!.begin).toBe((100_000 + block) * EPG_BLOCK_SECONDS);
        for (let i = 0; i < events.length; i++) {
          const event = events[i]!;
          const minutes = event.duration / 60;
          if (event.quirk === 'overlap') {
            expect(event.begin + event.duration).toBeGreaterThan(events[i + 1]!.begin);
            continue;
          }
          expect(minutes).toBeGreaterThanOrEqual(5);
          expect(minutes).toBeLessThanOrEqual(120);
          const next = events[i + 1];
          expect(next ? next.begin : (100_001 + block) * EPG_BLOCK_SECONDS).toBe(
            event.begin + event.duration,
          );
        }
      }
    }
  });

  it('produces the quirks a client must drop: zero-length and overlapping events', () => {
    const quirks = new Set(
      withEpg.flatMap((channel) =>
        everything(channel).flatMap((event) => (event.quirk ? [event.quirk] : [])),
      ),
    );
    expect([...quirks].sort()).toEqual(['overlap', 'zero-length']);
  });

  it('gives unique 16-bit event ids per channel over the whole EPG', () => {
    for (const channel of withEpg) {
      const ids = everything(channel).map((event) => event.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => Number.isInteger(id) && id > 0 && id <= 0xffff)).toBe(true);
    }
  });

  it('holds text as the box does: umlauts, &, DVB line breaks and emphasis codes', () => {
    const text = withEpg.flatMap((channel) =>
      everything(channel).flatMap((event) => [event.title, event.shortdesc, event.longdesc]),
    );
    expect(text.some((value) => /[äöüß]/.test(value))).toBe(true);
    expect(text.some((value) => value.includes('&'))).toBe(true);
    expect(text.some((value) => value.includes('\u008a'))).toBe(true);
    expect(text.some((value) => value.includes('\u0086'))).toBe(true);
  });

  it('stays inside the window and the box range for any query', () => {
    const channel = withEpg[1]!;
    fc.assert(
      fc.property(
        fc.integer({ min: -86_400, max: 9 * 86_400 }),
        fc.integer({ min: 0, max: 3 * 1440 }),
        (offset, minutes) => {
          const time = NOW_SEC + offset;
          const events = epgEventsFor(dataset, channel.ref, { time, endTime: minutes }, NOW);
          const from = Math.max(time, NOW_SEC);
          for (const event of events) {
            expect(event.begin + event.duration).toBeGreaterThan(from);
            expect(event.begin).toBeLessThan(NOW_SEC + 7 * 86_400);
            expect(event.begin <= from || event.begin < time + minutes * 60).toBe(true);
          }
          if (time >= NOW_SEC && time < NOW_SEC + 7 * 86_400 - 3600) {
            expect(events.length).toBeGreaterThan(0);
            expect(events[0]!.begin).toBeLessThanOrEqual(time);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ends where the box EPG ends (--epg-days) and is empty for channels without EPG', () => {
    const channel = withEpg[2]!;
    const events = epgEventsFor(dataset, channel.ref, {}, NOW);
    expect(events.at(-1)!.begin).toBeLessThan(NOW_SEC + 7 * 86_400);
    expect(events.at(-1)!.begin + events.at(-1)!.duration).toBeGreaterThanOrEqual(
      NOW_SEC + 7 * 86_400 - 2 * 3600,
    );
    const without = dataset.channels.find((candidate) => !candidate.hasEpg)!;
    expect(epgEventsFor(dataset, without.ref, {}, NOW)).toEqual([]);
    expect(epgEventsFor(dataset, '1:0:19:FFFF:FFFF:1:C00000:0:0:0:', {}, NOW)).toEqual([]);
  });

  it('finds the same events for every spelling of a ref', () => {
    const channel = withEpg[3]!;
    const expected = epgEventsFor(dataset, channel.ref, { endTime: 300 }, NOW);
    expect(epgEventsFor(dataset, channel.ref.toLowerCase(), { endTime: 300 }, NOW)).toEqual(expected);
    expect(epgEventsFor(dataset, channel.ref.replace(/:/g, '%3a'), { endTime: 300 }, NOW)).toEqual(expected);
  });

  it('knows now and next', () => {
    const [current, next] = nowNext(dataset, withEpg[0]!, NOW);
    expect(current!.begin).toBeLessThanOrEqual(NOW_SEC);
    expect(current!.begin + current!.duration).toBeGreaterThan(NOW_SEC);
    expect(next!.begin).toBeGreaterThan(NOW_SEC);
  });
});

describe('EPG window (openwebif.md §3/§7)', () => {
  it('treats time -1 or absent as now', () => {
    expect(epgWindow({}, 1000, 'service')).toEqual({ start: 1000, end: Number.POSITIVE_INFINITY });
    expect(epgWindow({ time: '-1' }, 1000, 'service').start).toBe(1000);
  });

  it('reads endTime below 10^9 as minutes and above as an absolute epoch on epgservice', () => {
    expect(epgWindow({ time: 1_763_751_600, endTime: 90 }, 0, 'service')).toEqual({
      start: 1_763_751_600,
      end: 1_763_757_000,
    });
    expect(epgWindow({ time: 1_763_751_600, endTime: 1_763_760_000 }, 0, 'service').end).toBe(1_763_760_000);
  });

  it('resets large or zero endTime to unbounded on epgbouquet, as OpenWebIF does', () => {
    expect(epgWindow({ endTime: 1_763_760_000 }, 5, 'bouquet').end).toBe(Number.POSITIVE_INFINITY);
    expect(epgWindow({ endTime: 0 }, 5, 'bouquet').end).toBe(Number.POSITIVE_INFINITY);
    expect(epgWindow({ endTime: 60 }, 5, 'bouquet').end).toBe(5 + 3600);
  });
});
