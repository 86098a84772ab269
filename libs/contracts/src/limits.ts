import { E2gateError, ErrorCode } from './errors.js';

/** Bounds of catalog queries: every RPC reply stays well under NATS's 1 MiB max_payload. */
export const CatalogLimits = {
  maxChannelsPerPage: 1000,
  defaultChannelsPerPage: 500,
  maxEpgChannelsPerQuery: 100,
  maxEpgRangeSeconds: 14 * 24 * 3600,
  maxEpgEventsPerPage: 2000,
  defaultEpgEventsPerPage: 500,
  maxSearchQueryLength: 100,
  minSearchQueryLength: 2,
  maxSearchResults: 200,
  defaultSearchResults: 50,
  maxNowNextChannels: 1000,
  defaultNowNextChannels: 500,
} as const;

/** The rule every EPG time window obeys, on every side of the wire: `to` after `from`, at most 14 days. */
export function assertEpgRange(from: number, to: number): void {
  if (to <= from) throw new E2gateError(ErrorCode.ValidationFailed, '`to` must be after `from`');
  if (to - from > CatalogLimits.maxEpgRangeSeconds) {
    throw new E2gateError(
      ErrorCode.RangeTooLarge,
      `time range exceeds ${CatalogLimits.maxEpgRangeSeconds} s`,
      {
        maxSeconds: CatalogLimits.maxEpgRangeSeconds,
      },
    );
  }
}
