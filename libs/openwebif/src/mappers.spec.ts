import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toReceiverEvent, toServiceListing } from './mappers.js';
import { epgResponse, servicesResponse } from './schemas.js';

const looseValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double(),
);

describe('response mapping (property-based)', () => {
  it('parses or rejects arbitrary service lists without throwing elsewhere', () => {
    const entry = fc.record(
      {
        servicereference: fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.constantFrom('1:0:19:283D:3FB:1:C00000:0:0:0:', '1:64:0:0:0:0:0:0:0:0::x'),
        ),
        servicename: looseValue,
        pos: looseValue,
        program: looseValue,
        lcn: looseValue,
        streamrelay: looseValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (services) => {
        const parsed = servicesResponse.safeParse({ services });
        if (!parsed.success) return;
        const listing = toServiceListing(parsed.data.services);
        const skipped = Object.values(listing.skipped).reduce((a, b) => a + b, 0);
        expect(listing.services.length + skipped).toBe(parsed.data.services.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('maps arbitrary EPG entries to events or drops them', () => {
    const event = fc.record(
      {
        id: looseValue,
        begin_timestamp: looseValue,
        duration_sec: looseValue,
        duration: looseValue,
        title: looseValue,
        longdesc: looseValue,
        genreid: looseValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (events) => {
        const parsed = epgResponse.safeParse({ events });
        if (!parsed.success) return;
        for (const mapped of parsed.data.events.map(toReceiverEvent)) {
          if (mapped) {
            expect(Number.isInteger(mapped.begin) && mapped.begin > 0).toBe(true);
            expect(typeof mapped.title).toBe('string');
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
