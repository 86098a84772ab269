/**
 * Name pools for the generated dataset. All text stays inside Latin-1 so the `latin1` fault mode is lossless
 * (a box sending Latin-1 could not send anything else either).
 */

/** Curated TV services, in dataset order; the first ones carry every naming quirk the brief asks for. */
export interface CuratedChannel {
  name: string;
  provider: string;
  /** Real-world SID/TSID where known (namespace 19.2°E), otherwise generated. */
  sid?: number;
  tsid?: number;
  encrypted?: 'whitelist' | 'embedded';
  /** Name of the curated HD twin this SD service belongs to. */
  sdTwinOf?: string;
  /** Defaults to "the name contains HD". */
  hd?: boolean;
}

export const CURATED_TV: readonly CuratedChannel[] = [
  { name: 'Das Erste HD', provider: 'ARD', sid: 0x283d, tsid: 0x3fb },
  { name: 'ZDF', provider: 'ZDFvision', sid: 0x6d66, tsid: 0x437 },
  { name: 'ORF1 HD', provider: 'ORF', sid: 0x132f, tsid: 0x3ef },
  { name: 'Bayerisches Fernsehen Süd', provider: 'ARD', sid: 0x6dd6, tsid: 0x44d },
  { name: 'Ö3 & Co', provider: 'ORF' },
  { name: '"Quoted" Name, with comma', provider: 'Test & Co', hd: true },
  { name: 'Das Erste', provider: 'ARD', sid: 0x6dca, tsid: 0x44d, sdTwinOf: 'Das Erste HD' },
  { name: 'ORF2 HD', provider: 'ORF', sid: 0x1330, tsid: 0x3ef },
  { name: '3sat HD', provider: 'ZDFvision', sid: 0x2b7a, tsid: 0x3f9 },
  { name: 'arte HD', provider: 'ARD', sid: 0x2b84, tsid: 0x3fb },
  { name: 'Sky Cinema Premiere HD', provider: 'Sky', encrypted: 'whitelist' },
  { name: 'ServusTV HD Österreich', provider: 'ServusTV' },
  { name: 'ProSieben Austria', provider: 'ProSiebenSat.1' },
  { name: 'RTL Television', provider: 'RTL World' },
  { name: 'SAT.1 A', provider: 'ProSiebenSat.1' },
  { name: 'kabel eins', provider: 'ProSiebenSat.1' },
  { name: 'VOX', provider: 'RTL World' },
  { name: 'ZDFneo HD', provider: 'ZDFvision' },
  { name: 'ORF III HD', provider: 'ORF' },
  { name: 'Sport1 HD', provider: 'Sport1' },
  { name: 'Eurosport 1 HD', provider: 'Eurosport' },
  { name: 'Sky Sport Austria HD', provider: 'Sky', encrypted: 'embedded' },
  { name: 'ZDF HD', provider: 'ZDFvision', sid: 0x2b66, tsid: 0x3f9 },
  { name: 'tagesschau24 HD', provider: 'ARD' },
  { name: 'phoenix HD', provider: 'ARD' },
  { name: 'KiKA HD', provider: 'ZDFvision' },
  { name: 'SRF 1 HD', provider: 'SRG SSR' },
  { name: 'SWR Fernsehen BW', provider: 'ARD' },
  { name: 'WDR HD Köln', provider: 'ARD' },
  { name: 'ORF1', provider: 'ORF', sdTwinOf: 'ORF1 HD' },
  { name: 'MDR Sachsen HD', provider: 'ARD' },
  { name: 'NDR FS HH HD', provider: 'ARD' },
  { name: 'hr-fernsehen HD', provider: 'ARD' },
  { name: 'rbb Berlin HD', provider: 'ARD' },
  { name: 'n-tv', provider: 'RTL World' },
  { name: 'WELT', provider: 'WeltN24' },
  { name: 'DMAX', provider: 'Discovery' },
  { name: 'TLC', provider: 'Discovery' },
  { name: 'Nickelodeon', provider: 'Viacom' },
  { name: 'Disney Channel', provider: 'Disney' },
  { name: 'PULS 4', provider: 'ProSiebenSat.1' },
  { name: 'ATV', provider: 'ATV' },
  { name: 'SRF zwei HD', provider: 'SRG SSR' },
  { name: 'Tele 5', provider: 'Tele 5' },
  { name: 'ANIXE HD Serie', provider: 'ANIXE' },
  { name: 'Bibel TV', provider: 'Bibel TV' },
  { name: 'QVC Deutschland', provider: 'QVC' },
  { name: 'HSE', provider: 'HSE' },
  { name: 'Sky Atlantic HD', provider: 'Sky', encrypted: 'whitelist' },
  { name: 'ORF Sport + HD', provider: 'ORF' },
  { name: 'BR Fernsehen Nord HD', provider: 'ARD' },
  { name: 'ZDFinfo HD', provider: 'ZDFvision' },
  { name: 'ONE HD', provider: 'ARD' },
  { name: 'Welt der Wunder', provider: 'WdW' },
  { name: 'Südtirol TV', provider: 'Regional' },
  { name: 'München.TV', provider: 'Regional' },
];

const REGIONS = [
  'Süd',
  'Nord',
  'Ost',
  'West',
  'Mitte',
  'Tirol',
  'Kärnten',
  'Steiermark',
  'Franken',
  'Allgäu',
];
const PREFIXES = [
  'Regio TV',
  'Lokal-TV',
  'Kanal',
  'Stadtfernsehen',
  'Heimat & Berg',
  'Landesstudio',
  'Bürger-TV',
];

/** A synthetic but plausible name for the n-th generated channel (n ≥ 0), unique for every n. */
export function syntheticChannelName(n: number, hd: boolean): string {
  const prefix = PREFIXES[n % PREFIXES.length] ?? 'Kanal';
  const region = REGIONS[Math.floor(n / PREFIXES.length) % REGIONS.length] ?? 'Süd';
  const serial = Math.floor(n / (PREFIXES.length * REGIONS.length)) + 1;
  return `${prefix} ${region} ${serial}${hd ? ' HD' : ''}`;
}

export const TV_BOUQUET_NAMES: readonly string[] = [
  'Favoriten',
  'Österreich',
  'Sport & Freizeit',
  'Nachrichten',
  'Film & Serie',
  '"Kids" Zone',
  'Schweiz, Italien',
  'Regional',
  'Dokus & Wissen',
  'Shopping',
];

export function tvBouquetName(index: number): string {
  return TV_BOUQUET_NAMES[index] ?? `Bouquet ${index + 1}`;
}

export const RADIO_NAMES: readonly string[] = [
  'Ö3',
  'FM4',
  'Ö1',
  'Bayern 3',
  'SWR3',
  '1LIVE',
  'Deutschlandfunk',
  'NDR 2',
  'Radio Wien',
  'hr3',
];

export const IPTV_CHANNELS: readonly { name: string; url: string; type: number }[] = [
  { name: 'Web TV Ötztal', url: 'http://iptv.example.invalid/live/oetztal/index.m3u8', type: 4097 },
  { name: 'Stadt & Land IPTV', url: 'https://cdn.example.invalid/hls/stadtland/master.m3u8', type: 5002 },
  { name: 'Webradio Café', url: 'http://radio.example.invalid/stream.mp3', type: 4097 },
];

/** ASCII slug for bouquet file names (`userbouquet.<slug>.tv`). */
export function slug(name: string): string {
  const folded = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return folded || 'bouquet';
}
