import type { CatalogCounts, CatalogMetaRecord, PartialFailure } from '@e2gate/contracts';

/** Shares of the previous snapshot a refresh may lose before readiness says `degraded`. */
export const DEGRADATION_THRESHOLDS = {
  /** Channels whose EPG could not be read, as a share of the channels that have a guide. */
  epgFailureShare: 0.1,
  channelsKept: 0.9,
  channelsWithEpgKept: 0.9,
  eventsKept: 0.75,
} as const;

export interface RefreshResult {
  counts: CatalogCounts;
  partialFailures: readonly PartialFailure[];
  /** Channels that can have a guide (not IPTV). */
  guideChannels: number;
  epgLoading: boolean;
}

/**
 * Why a successful refresh still serves less than it should (pure): the EPG is still loading, a large share of the
 * guides could not be read, bouquets are missing, or the snapshot lost a large part of what the previous one had.
 * An empty list means healthy.
 */
export function degradedReasons(result: RefreshResult, previous: CatalogMetaRecord | null): string[] {
  const reasons: string[] = [];
  if (result.epgLoading) reasons.push('epg loading');
  const failed = (scope: PartialFailure['scope']) =>
    result.partialFailures.filter((failure) => failure.scope === scope);
  const epgFailures = new Set(failed('epg').map((failure) => failure.target)).size;
  const tolerated = Math.max(1, Math.floor(result.guideChannels * DEGRADATION_THRESHOLDS.epgFailureShare));
  if (epgFailures > tolerated) {
    reasons.push(
      `EPG of ${epgFailures} of ${result.guideChannels} channels could not be read` +
        ` (${result.counts.epgCarried ?? 0} kept from an earlier refresh)`,
    );
  }
  const bouquetFailures = failed('bouquet').length;
  if (bouquetFailures > 0) reasons.push(`${bouquetFailures} bouquet problem(s): channels may be missing`);
  if (previous && !previous.epgLoading) reasons.push(...losses(result.counts, previous.counts));
  return reasons;
}

function losses(now: CatalogCounts, before: CatalogCounts): string[] {
  const out: string[] = [];
  const shrank = (key: keyof CatalogCounts, keep: number) =>
    (before[key] ?? 0) > 0 && (now[key] ?? 0) < (before[key] ?? 0) * keep;
  if (shrank('channels', DEGRADATION_THRESHOLDS.channelsKept)) {
    out.push(`channel list shrank from ${before.channels} to ${now.channels}`);
  }
  if (shrank('channelsWithEpg', DEGRADATION_THRESHOLDS.channelsWithEpgKept)) {
    out.push(`EPG covers ${now.channelsWithEpg} channels, the previous snapshot ${before.channelsWithEpg}`);
  }
  if (shrank('events', DEGRADATION_THRESHOLDS.eventsKept)) {
    out.push(`EPG holds ${now.events} events, the previous snapshot ${before.events}`);
  }
  return out;
}
