import {
  SNAPSHOT_SCHEMA_VERSION,
  snapshotObjectName,
  type CatalogMetaRecord,
  type CatalogSnapshot,
  type Channel,
} from '@e2gate/contracts';
import type { CollectedCatalog } from './refresh.service.js';
import { snapshotVersion } from './snapshot-version.js';

/** Assembles the snapshot and its meta record from what a refresh collected. Pure. */
export function buildSnapshot(
  collected: CollectedCatalog,
  picons: ReadonlyMap<string, string>,
  createdAt: Date,
): { snapshot: CatalogSnapshot; meta: CatalogMetaRecord } {
  const channels: Channel[] = collected.channels.map((channel) => ({
    ...channel,
    picon: picons.get(channel.id) ?? null,
  }));
  const content = { bouquets: collected.bouquets, channels, epg: collected.epg };
  const version = snapshotVersion(content);
  const events = Object.values(collected.epg).reduce((sum, list) => sum + list.length, 0);
  const counts = {
    bouquets: collected.bouquets.length,
    channels: channels.length,
    events,
    channelsWithEpg: Object.keys(collected.epg).length,
    picons: channels.filter((channel) => channel.picon !== null).length,
  };
  const snapshot: CatalogSnapshot = {
    schema: SNAPSHOT_SCHEMA_VERSION,
    version,
    createdAt: createdAt.toISOString(),
    epgWindow: collected.epgWindow,
    receiver: collected.receiver,
    ...content,
    partialFailures: collected.partialFailures,
    counts,
  };
  const meta: CatalogMetaRecord = {
    version,
    objectName: snapshotObjectName(version),
    refreshedAt: createdAt.toISOString(),
    stale: false,
    counts,
    partialFailures: collected.partialFailures,
    receiver: collected.receiver,
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
    lastError: { code: error.code, message: error.message, at: at.toISOString() },
  };
}
