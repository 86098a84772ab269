/** The simulated receiver's content: bouquets, their entries and the services behind them. */
import type { PiconStep } from './refs.js';

export type FixtureName =
  't1_720p50_ac3_mp2' | 't2_1080i_eac3_ad_wrap' | 't3_576i_mpeg2' | 't4_720p_eac3' | 'sim_radio_mp2';

/** How a channel's picon is found (openwebif.md §6): the step of the fallback chain that hits, or none. */
export type PiconVia = PiconStep | 'none';

export interface SimChannel {
  /** Canonical reference as Enigma2 prints it (uppercase hex, trailing colon). */
  ref: string;
  name: string;
  kind: 'tv' | 'radio';
  /** True for the N playable TV channels that `channels` counts (hidden services come on top). */
  counted: boolean;
  serviceType: number;
  sid: number;
  tsid: number;
  onid: number;
  namespace: number;
  /** `tsid:onid:namespace` — services on one transponder share a tuner. */
  transponder: string;
  provider: string;
  hd: boolean;
  fixture: FixtureName;
  /** Needs the stream relay (whitelisted or embedded form); port 8001 delivers it scrambled. */
  encrypted: boolean;
  hasEpg: boolean;
  lcn?: number;
  /** The picon file the box finds for the canonical ref (without `.png`), and the chain step that finds it. */
  piconFile: string | null;
  piconVia: PiconVia;
  /** Per-channel salt of the EPG generator. */
  epgKey: number;
}

interface EntryBase {
  /** The reference exactly as written in the bouquet (case, URL field and name included). */
  ref: string;
  name: string;
  flags: number;
}

export type SimEntry =
  | (EntryBase & { kind: 'channel'; channel: SimChannel; lowercase: boolean; relayEmbedded: boolean })
  | (EntryBase & { kind: 'marker'; numbered: boolean })
  | (EntryBase & { kind: 'hidden'; channel: SimChannel | null })
  | (EntryBase & { kind: 'subbouquet'; bouquet: SimBouquet })
  | (EntryBase & { kind: 'alternatives'; group: SimBouquet })
  | (EntryBase & { kind: 'iptv'; url: string });

export type SimEntryKind = SimEntry['kind'];

export interface SimBouquet {
  ref: string;
  name: string;
  kind: 'tv' | 'radio';
  /** `userbouquet.x.tv`, `subbouquet.x.tv` or `alternatives.x.tv`. */
  file: string;
  role: 'bouquet' | 'subbouquet' | 'alternatives';
  entries: SimEntry[];
}

export interface SimDataset {
  seed: number;
  epgDays: number;
  tuners: number;
  /** Bouquets listed in bouquets.tv then bouquets.radio (what /api/bouquets returns). */
  bouquets: SimBouquet[];
  /** Sub-bouquets and alternatives groups, reachable only through their refs. */
  nestedBouquets: SimBouquet[];
  /** Every DVB service the stream server can play (TV incl. hidden ones, then radio). */
  channels: SimChannel[];
  /** Refs listed in /etc/enigma2/whitelist_streamrelay. */
  streamRelayWhitelist: string[];
  /** Picon files stored on the box (names without `.png`) → colour seed. */
  piconFiles: Map<string, number>;
}
