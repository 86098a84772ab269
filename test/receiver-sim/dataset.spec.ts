import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetOptionsError, generateDataset, type DatasetOptions } from './dataset.js';
import { indexFor } from './lookup.js';
import type { SimDataset, SimEntry } from './model.js';
import { parseRef, resolvePicon, serviceKey } from './refs.js';

const options = (overrides: Partial<DatasetOptions> = {}): DatasetOptions => ({
  bouquets: 3,
  channels: 30,
  epgDays: 7,
  seed: 1,
  tuners: 4,
  ...overrides,
});

const tvEntries = (dataset: SimDataset): SimEntry[] =>
  dataset.bouquets.filter((bouquet) => bouquet.kind === 'tv').flatMap((bouquet) => bouquet.entries);

function allText(dataset: SimDataset): string[] {
  return [...dataset.bouquets, ...dataset.nestedBouquets].flatMap((bouquet) => [
    bouquet.name,
    bouquet.ref,
    ...bouquet.entries.flatMap((entry) => [entry.name, entry.ref]),
  ]);
}

describe('generated dataset', () => {
  it('has exactly N playable TV channels spread over the bouquets, whatever the size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer(),
        (bouquets, channels, seed) => {
          const dataset = generateDataset(options({ bouquets, channels, seed }));
          const counted = dataset.channels.filter((channel) => channel.counted && channel.kind === 'tv');
          expect(counted).toHaveLength(channels);
          expect(dataset.bouquets.filter((bouquet) => bouquet.kind === 'tv')).toHaveLength(bouquets);
          const listed = new Set(
            tvEntries(dataset).flatMap((entry) =>
              entry.kind === 'channel' && entry.channel.counted ? [entry.channel.ref] : [],
            ),
          );
          expect(listed.size).toBe(channels);
          const keys = new Set(dataset.channels.map((channel) => serviceKey(channel.ref)));
          expect(keys.size).toBe(dataset.channels.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('contains every kind of entry a client must handle', () => {
    const dataset = generateDataset(options());
    const kinds = new Set(tvEntries(dataset).map((entry) => entry.kind));
    expect([...kinds].sort()).toEqual(['alternatives', 'channel', 'hidden', 'iptv', 'marker', 'subbouquet']);
    const entries = tvEntries(dataset);
    expect(entries.some((entry) => entry.ref.startsWith('1:64:'))).toBe(true);
    expect(entries.some((entry) => entry.ref.startsWith('1:320:'))).toBe(true);
    expect(entries.some((entry) => entry.ref.startsWith('1:832:'))).toBe(true);
    expect(entries.some((entry) => entry.ref.startsWith('1:512:'))).toBe(true);
    expect(
      entries.some((entry) => entry.ref.startsWith('1:7:1:') && entry.ref.includes('FROM BOUQUET')),
    ).toBe(true);
    expect(entries.some((entry) => entry.ref.startsWith('1:134:'))).toBe(true);
    expect(entries.some((entry) => /^(4097|5002):0:1:.*:http(s)?%3a\/\//.test(entry.ref))).toBe(true);
    expect(entries.some((entry) => entry.ref.includes('http%3a//127.0.0.1%3a17999/1%3a0%3a'))).toBe(true);
    expect(
      entries.some(
        (entry) => entry.kind === 'channel' && entry.lowercase && entry.ref === entry.ref.toLowerCase(),
      ),
    ).toBe(true);
    expect(dataset.bouquets.some((bouquet) => bouquet.kind === 'radio')).toBe(true);
    expect(dataset.channels.some((channel) => channel.lcn !== undefined)).toBe(true);
    expect(dataset.channels.some((channel) => !channel.hasEpg)).toBe(true);
  });

  it('puts some channels in two bouquets under the same ref', () => {
    const dataset = generateDataset(options({ channels: 60 }));
    const seen = new Map<string, Set<string>>();
    for (const bouquet of dataset.bouquets) {
      for (const entry of bouquet.entries) {
        if (entry.kind !== 'channel') continue;
        seen.set(entry.ref, (seen.get(entry.ref) ?? new Set()).add(bouquet.ref));
      }
    }
    expect([...seen.values()].some((bouquets) => bouquets.size > 1)).toBe(true);
  });

  it('has the realistic names the brief lists and HD/SD pairs', () => {
    const names = generateDataset(options()).channels.map((channel) => channel.name);
    for (const name of [
      'Das Erste HD',
      'Das Erste',
      'ZDF',
      'ORF1 HD',
      'Bayerisches Fernsehen Süd',
      'Ö3 & Co',
      '"Quoted" Name, with comma',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('keeps all text within Latin-1 so the latin1 fault mode is lossless', () => {
    const text = allText(generateDataset(options({ channels: 500, bouquets: 12 })));
    expect(text.filter((value) => /[^\u0000-\u00ff]/.test(value))).toEqual([]);
  });

  it('writes refs in uppercase hex except the lowercase bouquet-editor entries', () => {
    for (const entry of tvEntries(generateDataset(options({ channels: 120 })))) {
      const parsed = parseRef(entry.ref);
      expect(parsed, entry.ref).not.toBeNull();
      const hexFields = parsed!.fields.slice(2).join(':');
      const lowercase = entry.kind === 'channel' && entry.lowercase;
      expect(hexFields === hexFields.toUpperCase() || lowercase, entry.ref).toBe(true);
    }
  });

  it('records for each channel the picon file the fallback chain finds', () => {
    const dataset = generateDataset(options({ channels: 200 }));
    const vias = new Set(dataset.channels.map((channel) => channel.piconVia));
    for (const via of ['exact', 'namespace', 'service-type', 'snp', 'snp-without-hd', 'none'])
      expect(vias).toContain(via);
    for (const channel of dataset.channels) {
      expect(resolvePicon(channel.ref, channel.name, dataset.piconFiles)?.file ?? null).toBe(
        channel.piconFile,
      );
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const summary = (dataset: SimDataset): string =>
      JSON.stringify({
        channels: dataset.channels,
        entries: tvEntries(dataset).map((entry) => entry.ref),
        picons: [...dataset.piconFiles],
      });
    expect(summary(generateDataset(options({ seed: 7 })))).toBe(
      summary(generateDataset(options({ seed: 7 }))),
    );
    expect(summary(generateDataset(options({ seed: 7 })))).not.toBe(
      summary(generateDataset(options({ seed: 8 }))),
    );
  });

  it('resolves every listed ref to its service, including alternatives and relay forms', () => {
    const dataset = generateDataset(options());
    const index = indexFor(dataset);
    for (const entry of tvEntries(dataset)) {
      if (entry.kind === 'channel') expect(index.service(entry.ref)).toBe(entry.channel);
      if (entry.kind === 'alternatives') expect(index.service(entry.ref)?.name).toBe('Das Erste HD');
      if (entry.kind === 'subbouquet') expect(index.bouquet(entry.ref)).toBe(entry.bouquet);
    }
  });

  it('generates 1,500 channels in 10 bouquets quickly enough for every test to afford', () => {
    const dataset = generateDataset(options({ bouquets: 10, channels: 1500 }));
    expect(dataset.channels.filter((channel) => channel.counted)).toHaveLength(1500);
  });

  it('rejects sizes out of bounds with a stable code', () => {
    expect(() => generateDataset(options({ channels: -1 }))).toThrow(DatasetOptionsError);
    expect(() => generateDataset(options({ channels: 50_001 }))).toThrow(/channels must be an integer/);
    expect(() => generateDataset(options({ bouquets: 0, channels: 5 }))).toThrow(DatasetOptionsError);
    expect(() => generateDataset(options({ epgDays: 1.5 }))).toThrow(DatasetOptionsError);
    const thrown = ((): unknown => {
      try {
        generateDataset(options({ tuners: 0 }));
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toMatchObject({ code: 'SIM_INVALID_OPTIONS' });
  });
});
