import {
  ErrorCode,
  SnapshotBounds,
  type Bouquet,
  type Channel,
  type PartialFailure,
} from '@e2gate/contracts';
import type { BouquetInfo, ServiceListing } from '@e2gate/openwebif';

/**
 * Cuts what the receiver lists to the snapshot's bounds (pure). What is cut is reported as a partial failure with
 * code `LIMIT_EXCEEDED`, so a box (or a broken image) that lists half a million bouquets costs a bounded refresh.
 */

/** At most `maxBouquets` bouquets (the first), without those whose reference exceeds its bound. */
export function boundBouquets(listed: BouquetInfo[], failures: PartialFailure[]): BouquetInfo[] {
  const max = SnapshotBounds.maxBouquets;
  const bouquets = listed.filter((bouquet) => bouquet.ref.length <= SnapshotBounds.maxRefLength);
  if (bouquets.length <= max) return bouquets;
  failures.push({
    scope: 'bouquet',
    target: 'bouquets',
    code: ErrorCode.LimitExceeded,
    message: `the receiver lists ${bouquets.length} bouquets; only the first ${max} are read`,
  });
  return bouquets.slice(0, max);
}

/** A bouquet's services, at most `maxServicesPerBouquet`, without entries whose reference exceeds its bound. */
export function boundListing(
  bouquet: BouquetInfo,
  listing: ServiceListing,
  failures: PartialFailure[],
): ServiceListing {
  const max = SnapshotBounds.maxServicesPerBouquet;
  const usable = listing.services.filter((service) => service.ref.length <= SnapshotBounds.maxRefLength);
  const dropped = listing.services.length - usable.length;
  if (usable.length > max) {
    failures.push({
      scope: 'bouquet',
      target: bouquet.ref,
      name: bouquet.name,
      code: ErrorCode.LimitExceeded,
      message: `bouquet lists ${usable.length} services; only the first ${max} are read`,
    });
  }
  if (dropped === 0 && usable.length <= max) return listing;
  return {
    services: usable.slice(0, max),
    skipped: { ...listing.skipped, invalid: listing.skipped.invalid + dropped },
  };
}

/** A channel's guide, at most `maxEventsPerChannel` events (the earliest). */
export function boundEvents<T>(
  events: T[],
  channel: { id: string; name: string },
  failures: PartialFailure[],
): T[] {
  const max = SnapshotBounds.maxEventsPerChannel;
  if (events.length <= max) return events;
  failures.push({
    scope: 'epg',
    target: channel.id,
    name: channel.name,
    code: ErrorCode.LimitExceeded,
    message: `${events.length} EPG events; only the first ${max} are kept`,
  });
  return events.slice(0, max);
}

/** Text cut to `max` characters (with an ellipsis), so one overlong title cannot invalidate a snapshot. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** At most `maxChannels` channels (the first in bouquet order); bouquets lose the ids of the channels cut. */
export function boundChannels<S extends { bouquets: Bouquet[]; channels: Channel[] }>(
  set: S,
  failures: PartialFailure[],
): S {
  const max = SnapshotBounds.maxChannels;
  if (set.channels.length <= max) return set;
  failures.push({
    scope: 'bouquet',
    target: 'channels',
    code: ErrorCode.LimitExceeded,
    message: `the selected bouquets hold ${set.channels.length} channels; only the first ${max} are kept`,
  });
  const channels = set.channels.slice(0, max);
  const kept = new Set(channels.map((channel) => channel.id));
  const bouquets = set.bouquets.map((bouquet) => ({
    ...bouquet,
    channelIds: bouquet.channelIds.filter((id) => kept.has(id)),
  }));
  return { ...set, bouquets, channels };
}
