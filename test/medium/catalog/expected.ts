import type { SimDataset } from '../../receiver-sim/index.js';

/**
 * What a correct catalog must contain, computed from the simulator's own model (not from catalog code):
 * every distinct playable entry of the TV bouquets — DVB services by canonical ref, IPTV entries by URL,
 * alternatives groups by their bouquet file. Markers, hidden entries and sub-bouquets never count.
 */
export function expectedChannels(dataset: SimDataset): {
  dvb: Set<string>;
  iptv: Set<string>;
  alternatives: Set<string>;
} {
  const dvb = new Set<string>();
  const iptv = new Set<string>();
  const alternatives = new Set<string>();
  for (const bouquet of dataset.bouquets.filter((b) => b.kind === 'tv')) {
    for (const entry of bouquet.entries) {
      if (entry.kind === 'channel') dvb.add(entry.channel.ref);
      else if (entry.kind === 'iptv') iptv.add(entry.url);
      else if (entry.kind === 'alternatives') alternatives.add(entry.group.file);
    }
  }
  return { dvb, iptv, alternatives };
}

export function expectedChannelCount(dataset: SimDataset): number {
  const { dvb, iptv, alternatives } = expectedChannels(dataset);
  return dvb.size + iptv.size + alternatives.size;
}
