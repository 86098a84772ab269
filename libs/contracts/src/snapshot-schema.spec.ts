import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelEventsSchema, isCanonicalChannelEvents, SnapshotBounds } from './snapshot-schema.js';

/** Values near the schema's edges: the fast check must never accept what the schema refuses or would change. */
const edgyNumber = fc.oneof(
  fc.integer({ min: -2, max: 300 }),
  fc.constantFrom(0, 255, 256, 4_102_444_800, 4_102_444_801, 2 ** 53, -0, 1.5, NaN, Infinity),
  fc.double(),
);
const edgyText = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), '😀'.repeat(max / 2 + 1)),
  );
const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
/** One field set to a value at or just past the schema's edge (or an unknown key). */
const edgyField = fc.oneof(
  fc.record({ id: fc.oneof(edgyNumber, fc.constant('1')) }),
  fc.record({ start: edgyNumber }),
  fc.record({ stop: edgyNumber }),
  fc.record({ title: fc.oneof(edgyText(SnapshotBounds.maxTitleLength), fc.constant(null)) }),
  fc.record({ subtitle: edgyText(SnapshotBounds.maxTitleLength) }),
  fc.record({ description: edgyText(SnapshotBounds.maxDescriptionLength) }),
  fc.record({ genre: edgyText(256) }),
  fc.record({ genreId: edgyNumber }),
  fc.record({ extra: fc.string() }),
);
/** Guides in order; with `minGap` −1 an event may start a second before the previous one ends. */
const guide = (minGap: number) =>
  fc
    .array(
      fc.record({
        id: fc.integer(),
        length: fc.integer({ min: 1, max: 7_200 }),
        gap: fc.integer({ min: minGap, max: 600 }),
        title: fc.string({ maxLength: 40 }),
        description: maybe(fc.string({ maxLength: 200 })),
        genreId: maybe(fc.integer({ min: 0, max: 255 })),
      }),
      { maxLength: 30 },
    )
    .map((drafts) => {
      let clock = 1_764_000_000;
      return drafts.map(({ length, gap, description, genreId, ...rest }) => {
        const start = clock + gap;
        clock = start + length;
        return {
          ...rest,
          start,
          stop: clock,
          ...(description === undefined ? {} : { description }),
          ...(genreId === undefined ? {} : { genreId }),
        };
      });
    });

/** A valid guide with one event pushed to an edge: a field or two, zero length, or a second of overlap. */
const edgyGuide = fc
  .tuple(
    guide(0).filter((events) => events.length > 0),
    fc.nat(),
    fc.oneof(
      fc.tuple(edgyField, fc.option(edgyField, { nil: undefined })),
      fc.constantFrom('zero length', 'overlap'),
    ),
  )
  .map(([events, at, edge]) => {
    const index = at % events.length;
    const event: Record<string, unknown> = { ...events[index]! };
    if (edge === 'zero length') event['stop'] = event['start'];
    else if (edge === 'overlap') event['start'] = (events[index - 1]?.stop ?? 1) - 1;
    else Object.assign(event, ...edge);
    return events.map((original, position) => (position === index ? event : original));
  });

describe('isCanonicalChannelEvents (the allocation-free check beside channelEventsSchema)', () => {
  it('accepts only what the schema accepts unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(edgyGuide, guide(-1)), (candidate) => {
        const value = JSON.parse(JSON.stringify(candidate)) as unknown;
        if (!isCanonicalChannelEvents(value)) return;
        const parsed = channelEventsSchema.safeParse(value);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(value);
      }),
      { numRuns: 3_000 },
    );
  });

  it('accepts every well-formed guide as it is (the fast path is the common path)', () => {
    fc.assert(
      fc.property(guide(0), (events) => {
        expect(isCanonicalChannelEvents(JSON.parse(JSON.stringify(events)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves overlaps, unknown keys, non-plain objects and oversize lists to the schema', () => {
    const event = { id: 1, start: 10, stop: 20, title: 't' };
    expect(isCanonicalChannelEvents([event, { ...event, id: 2, start: 15, stop: 30 }])).toBe(false);
    expect(isCanonicalChannelEvents([{ ...event, extra: 1 }])).toBe(false);
    expect(isCanonicalChannelEvents([Object.assign(Object.create(null), event)])).toBe(false);
    expect(
      isCanonicalChannelEvents(JSON.parse('[{"__proto__":{},"id":1,"start":1,"stop":2,"title":"t"}]')),
    ).toBe(false);
    const many = Array.from({ length: SnapshotBounds.maxEventsPerChannel + 1 }, (_, i) => ({
      ...event,
      start: i * 10,
      stop: i * 10 + 5,
    }));
    expect(isCanonicalChannelEvents(many)).toBe(false);
    expect(channelEventsSchema.safeParse(many).success).toBe(false);
  });
});
