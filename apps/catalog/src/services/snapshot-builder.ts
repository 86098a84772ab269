import {
  SNAPSHOT_SCHEMA_VERSION,
  type Bouquet,
  type CatalogMetaRecord,
  type CatalogSnapshot,
  type Channel,
  type EpgEvent,
  type PartialFailure,
  type ReceiverSummary,
  type Recording,
} from '@e2gate/contracts';
import type { MergedEpg } from './epg-merge.js';
import { degradedReasons } from './refresh-assessment.js';
import { snapshotVersion } from './snapshot-version.js';

/** Everything one published step of a refresh holds. */
export interface SnapshotContent {
  receiver: ReceiverSummary;
  bouquets: Bouquet[];
  channels: Channel[];
  guide: MergedEpg;
  epgWindow: { from: number; to: number };
  partialFailures: PartialFailure[];
  /** True for the steps published before the first full EPG is read. */
  epgLoading: boolean;
  /** Newest first; undefined while never read (no field in the snapshot). */
  recordings?: Recording[];
}

/**
 * Assembles the snapshot and its meta record (pure). The meta record's object name and digest are filled in by the
 * store, which knows the stored bytes; `previous` is the meta record served before, for the degradation check.
 */
export function buildSnapshot(
  content: SnapshotContent,
  picons: ReadonlyMap<string, string>,
  createdAt: Date,
  previous: CatalogMetaRecord | null,
): { snapshot: CatalogSnapshot; meta: CatalogMetaRecord } {
  const channels: Channel[] = content.channels.map((channel) => ({
    ...channel,
    picon: picons.get(channel.id) ?? null,
  }));
  const epg = inNumberOrder(content.guide.epg, channels);
  const recordings = content.recordings;
  const version = snapshotVersion({ bouquets: content.bouquets, channels, epg, recordings });
  const counts = {
    bouquets: content.bouquets.length,
    channels: channels.length,
    events: Object.values(epg).reduce((sum, list) => sum + list.length, 0),
    channelsWithEpg: Object.keys(epg).length,
    picons: channels.filter((channel) => channel.picon !== null).length,
    epgCarried: content.guide.carried,
    ...(recordings === undefined ? {} : { recordings: recordings.length }),
  };
  const snapshot: CatalogSnapshot = {
    schema: SNAPSHOT_SCHEMA_VERSION,
    version,
    createdAt: createdAt.toISOString(),
    epgWindow: content.epgWindow,
    receiver: content.receiver,
    bouquets: content.bouquets,
    channels,
    epg,
    epgFreshness: content.guide.freshness,
    ...(content.epgLoading ? { epgLoading: true } : {}),
    partialFailures: content.partialFailures,
    counts,
    ...(recordings === undefined ? {} : { recordings }),
  };
  const degraded = degradedReasons(
    {
      counts,
      partialFailures: content.partialFailures,
      guideChannels: channels.filter((channel) => channel.kind !== 'iptv').length,
      epgLoading: content.epgLoading,
    },
    previous,
  );
  const meta: CatalogMetaRecord = {
    version,
    objectName: '',
    refreshedAt: createdAt.toISOString(),
    stale: false,
    ...(degraded.length > 0 ? { degraded } : {}),
    ...(content.epgLoading ? { epgLoading: true } : {}),
    counts,
    partialFailures: content.partialFailures,
    receiver: content.receiver,
  };
  return { snapshot, meta };
}

/** The meta record after a failed refresh: the old snapshot keeps being served, marked stale. */
export function markStale(
  meta: CatalogMetaRecord,
  error: { code: string; message: string },
  at: Date,
): CatalogMetaRecord {
  return {
    ...meta,
    stale: true,
    staleSince: meta.staleSince ?? at.toISOString(),
    lastError: { code: error.code, message: error.message.slice(0, 2_000), at: at.toISOString() },
  };
}

/**
 * The guide keyed in channel-number order: the stored snapshot keeps that order, so a reader renders the guide
 * channel by channel from the stored bytes without sorting (or holding) it.
 */
function inNumberOrder(epg: Record<string, EpgEvent[]>, channels: Channel[]): Record<string, EpgEvent[]> {
  const ordered: Record<string, EpgEvent[]> = {};
  for (const channel of [...channels].sort((a, b) => a.number - b.number)) {
    const events = epg[channel.id];
    if (events) ordered[channel.id] = events;
  }
  return ordered;
}
