import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  SnapshotBounds,
  type Bouquet,
  type Channel,
  type PartialFailure,
} from '@e2gate/contracts';
import type { ServiceInfo, ServiceListing } from '@e2gate/openwebif';
import { boundBouquets, boundChannels, boundEvents, boundListing, clip } from './receiver-bounds.js';

const service = (index: number, ref = `1:0:1:${index.toString(16)}:1:1:C00000:0:0:0:`) =>
  ({ ref, name: `S${index}` }) as ServiceInfo;
const listing = (services: ServiceInfo[]): ServiceListing => ({
  services,
  skipped: { markers: 0, hidden: 0, directories: 0, invalid: 0, recordings: 0 },
});

describe('receiver bounds', () => {
  it('reads at most the bounded number of bouquets and says so once', () => {
    const failures: PartialFailure[] = [];
    const listed = Array.from({ length: 500_000 }, (_, i) => ({ ref: `r${i}`, name: `B${i}` }));
    const kept = boundBouquets(listed, failures);
    expect(kept).toHaveLength(SnapshotBounds.maxBouquets);
    expect(kept[0]!.ref).toBe('r0');
    expect(failures).toEqual([expect.objectContaining({ scope: 'bouquet', code: ErrorCode.LimitExceeded })]);
    expect(failures[0]!.message).toContain('500000 bouquets');
  });

  it('cuts a bouquet to the bounded number of services and drops overlong references', () => {
    const failures: PartialFailure[] = [];
    const services = Array.from({ length: SnapshotBounds.maxServicesPerBouquet + 10 }, (_, i) => service(i));
    services.push(service(0, `4097:0:1:0:0:0:0:0:0:0:${'x'.repeat(SnapshotBounds.maxRefLength)}:Long`));
    const cut = boundListing({ ref: 'r', name: 'Big' }, listing(services), failures);
    expect(cut.services).toHaveLength(SnapshotBounds.maxServicesPerBouquet);
    expect(cut.skipped.invalid).toBe(1);
    expect(failures[0]).toMatchObject({ target: 'r', name: 'Big', code: ErrorCode.LimitExceeded });
    expect(boundListing({ ref: 'r', name: 'Small' }, listing([service(1)]), failures).services).toHaveLength(
      1,
    );
    expect(failures).toHaveLength(1);
  });

  it('cuts a guide to the bounded number of events, the earliest kept', () => {
    const failures: PartialFailure[] = [];
    const events = Array.from({ length: SnapshotBounds.maxEventsPerChannel * 2 }, (_, i) => i);
    const kept = boundEvents(events, { id: 'c', name: 'C' }, failures);
    expect(kept).toHaveLength(SnapshotBounds.maxEventsPerChannel);
    expect(kept.at(-1)).toBe(SnapshotBounds.maxEventsPerChannel - 1);
    expect(failures[0]).toMatchObject({ scope: 'epg', target: 'c', code: ErrorCode.LimitExceeded });
  });

  it('keeps at most the bounded number of channels and removes the cut ones from their bouquets', () => {
    const failures: PartialFailure[] = [];
    const channels = Array.from(
      { length: SnapshotBounds.maxChannels + 5 },
      (_, i) => ({ id: `c${i}` }) as Channel,
    );
    const bouquet: Bouquet = { id: 'b', name: 'B', ref: 'r', channelIds: channels.map((c) => c.id) };
    const cut = boundChannels({ bouquets: [bouquet], channels }, failures);
    expect(cut.channels).toHaveLength(SnapshotBounds.maxChannels);
    expect(cut.bouquets[0]!.channelIds).toHaveLength(SnapshotBounds.maxChannels);
    expect(failures[0]).toMatchObject({ target: 'channels', code: ErrorCode.LimitExceeded });
  });

  it('clips text with an ellipsis', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
  });
});
