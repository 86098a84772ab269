import { describe, expect, it } from 'vitest';
import type { CatalogCounts, CatalogMetaRecord, PartialFailure } from '@e2gate/contracts';
import { degradedReasons } from './refresh-assessment.js';

const counts = (over: Partial<CatalogCounts> = {}): CatalogCounts => ({
  bouquets: 5,
  channels: 58,
  events: 13_853,
  channelsWithEpg: 58,
  picons: 40,
  ...over,
});
const previous = { counts: counts() } as CatalogMetaRecord;
const epgFailure = (target: string): PartialFailure => ({
  scope: 'epg',
  target,
  code: 'RECEIVER_TIMEOUT',
  message: 'x',
});

describe('degradedReasons', () => {
  it('is empty for a refresh like the one before', () => {
    const result = { counts: counts(), partialFailures: [], guideChannels: 58, epgLoading: false };
    expect(degradedReasons(result, previous)).toEqual([]);
  });

  it('reports a large share of unreadable guides, even when their events were carried over', () => {
    const failures = Array.from({ length: 39 }, (_, i) => epgFailure(`c${i}`));
    const result = {
      counts: counts({ epgCarried: 39 }),
      partialFailures: failures,
      guideChannels: 58,
      epgLoading: false,
    };
    expect(degradedReasons(result, previous)).toEqual([
      'EPG of 39 of 58 channels could not be read (39 kept from an earlier refresh)',
    ]);
  });

  it('tolerates a few unreadable guides', () => {
    const result = {
      counts: counts(),
      partialFailures: [epgFailure('a'), epgFailure('b')],
      guideChannels: 58,
      epgLoading: false,
    };
    expect(degradedReasons(result, previous)).toEqual([]);
  });

  it('reports what a refresh lost against the previous snapshot', () => {
    const result = {
      counts: counts({ channels: 48, channelsWithEpg: 19, events: 4_481 }),
      partialFailures: [],
      guideChannels: 48,
      epgLoading: false,
    };
    expect(degradedReasons(result, previous)).toEqual([
      'channel list shrank from 58 to 48',
      'EPG covers 19 channels, the previous snapshot 58',
      'EPG holds 4481 events, the previous snapshot 13853',
    ]);
  });

  it('says the EPG is loading and compares nothing against a snapshot that was itself loading', () => {
    const loading = { ...previous, epgLoading: true };
    const result = {
      counts: counts({ events: 100 }),
      partialFailures: [],
      guideChannels: 58,
      epgLoading: true,
    };
    expect(degradedReasons(result, loading)).toEqual(['epg loading']);
  });

  it('reports bouquets that could not be read', () => {
    const result = {
      counts: counts(),
      partialFailures: [
        { scope: 'bouquet', target: 'r', code: 'RECEIVER_HTTP_ERROR', message: 'x' } as const,
      ],
      guideChannels: 58,
      epgLoading: false,
    };
    expect(degradedReasons(result, null)).toEqual(['1 bouquet problem(s): channels may be missing']);
  });
});
