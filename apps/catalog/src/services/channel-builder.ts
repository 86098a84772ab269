import { SnapshotBounds, type Bouquet, type Channel } from '@e2gate/contracts';
import {
  isHdServiceType,
  refIdentity,
  xmltvIdFor,
  type BouquetInfo,
  type ServiceListing,
} from '@e2gate/openwebif';
import { channelId, refHash, refHashLong, slugify } from './channel-identity.js';
import { clip } from './receiver-bounds.js';

/** Logical channel numbers above this are receiver noise, not numbers a remote can dial. */
const MAX_LCN = 999_999;

export interface BouquetListing {
  bouquet: BouquetInfo;
  listing: ServiceListing;
}

export interface ChannelSet {
  bouquets: Bouquet[];
  channels: Channel[];
}

/**
 * Channels from the selected bouquets, in bouquet order. A service listed in several bouquets is one
 * channel that belongs to each. Numbers: the receiver's LCN when present and free, otherwise sequential
 * from 1 across the bouquets, skipping numbers already taken.
 */
export function buildChannels(listings: readonly BouquetListing[]): ChannelSet {
  const byIdentity = new Map<string, Channel>();
  const usedIds = new Set<string>();
  const bouquets: Bouquet[] = [];
  for (const { bouquet, listing } of listings) {
    const entry: Bouquet = {
      id: bouquetId(bouquet),
      name: clip(bouquet.name, SnapshotBounds.maxNameLength),
      ref: bouquet.ref,
      channelIds: [],
    };
    for (const service of listing.services) {
      const identity = refIdentity(service.parsed);
      let channel = byIdentity.get(identity);
      if (!channel) {
        channel = {
          id: uniqueId(channelId(service.name, identity), identity, usedIds),
          xmltvId: xmltvIdFor(service.parsed),
          number: 0,
          name: clip(service.name, SnapshotBounds.maxNameLength),
          ref: service.ref,
          kind: service.kind,
          sid: service.parsed.sid,
          serviceType: service.parsed.serviceType,
          hd: isHdServiceType(service.parsed.serviceType),
          bouquetIds: [],
          picon: null,
          ...(service.lcn === undefined || service.lcn > MAX_LCN ? {} : { lcn: service.lcn }),
          ...(service.provider ? { provider: clip(service.provider, SnapshotBounds.maxNameLength) } : {}),
          ...(service.iptvUrl ? { iptvUrl: service.iptvUrl } : {}),
        };
        byIdentity.set(identity, channel);
      }
      if (!channel.bouquetIds.includes(entry.id)) channel.bouquetIds.push(entry.id);
      if (!entry.channelIds.includes(channel.id)) entry.channelIds.push(channel.id);
    }
    bouquets.push(entry);
  }
  const channels = [...byIdentity.values()];
  assignNumbers(channels);
  return { bouquets, channels };
}

/** An 8-hex hash collision between two references is resolved by appending more of the second one's hash. */
function uniqueId(id: string, identity: string, used: Set<string>): string {
  let candidate = id;
  for (let extra = 4; used.has(candidate); extra += 4)
    candidate = `${id}${refHashLong(identity).slice(8, 8 + extra)}`;
  used.add(candidate);
  return candidate;
}

export function bouquetId(bouquet: BouquetInfo): string {
  return `${slugify(bouquet.name) || 'bouquet'}-${refHash(bouquet.ref)}`;
}

function assignNumbers(channels: Channel[]): void {
  const taken = new Set<number>();
  for (const channel of channels) {
    if (channel.lcn !== undefined && !taken.has(channel.lcn)) {
      channel.number = channel.lcn;
      taken.add(channel.lcn);
    }
  }
  let next = 1;
  for (const channel of channels) {
    if (channel.number !== 0) continue;
    while (taken.has(next)) next++;
    channel.number = next;
    taken.add(next);
  }
}
