/** Generation of the DVB services behind the bouquets: identifiers, transponders, fixtures, picon files. */
import type { FixtureName, SimChannel } from './model.js';
import { CURATED_TV, RADIO_NAMES, syntheticChannelName } from './names.js';
import { hash32 } from './random.js';
import { dvbRef, piconBaseName, resolvePicon, snpName } from './refs.js';

const ASTRA_19 = 0x00c00000;

interface Orbit {
  namespace: number;
  onid: number;
  tsidBase: number;
}

const ORBITS: readonly (readonly [Orbit, number])[] = [
  [{ namespace: ASTRA_19, onid: 0x1, tsidBase: 0x400 }, 80],
  [{ namespace: 0x00820000, onid: 0x13e, tsidBase: 0x1900 }, 10], // 13.0°E
  [{ namespace: 0x011a0000, onid: 0x2, tsidBase: 0x7d0 }, 5], // 28.2°E
  [{ namespace: 0xffff0000, onid: 0x85, tsidBase: 0x10 }, 3], // DVB-C
  [{ namespace: 0xeeee0000, onid: 0x2114, tsidBase: 0x300 }, 2], // DVB-T
];

const SERVICES_PER_TRANSPONDER = 8;
const FIRST_GENERATED_SID = 0x3000;
const HD_TYPE = 0x19;
const SD_TYPE = 0x1;
const RADIO_TYPE = 0x2;

function orbitFor(seed: number, index: number): Orbit {
  const roll = hash32(seed, 'orbit', index) % 100;
  let acc = 0;
  for (const [orbit, weight] of ORBITS) {
    acc += weight;
    if (roll < acc) return orbit;
  }
  return ORBITS[0]![0];
}

interface ServiceSpec {
  name: string;
  provider: string;
  kind: 'tv' | 'radio';
  hd: boolean;
  encrypted: boolean;
  sid?: number;
  tsid?: number;
}

class IdAllocator {
  private nextSid = FIRST_GENERATED_SID;
  private readonly used = new Set<number>();

  reserve(sid: number): void {
    this.used.add(sid);
  }

  sid(): number {
    while (this.used.has(this.nextSid)) this.nextSid++;
    const sid = this.nextSid++;
    this.used.add(sid);
    return sid;
  }
}

function fixtureFor(spec: ServiceSpec, index: number): FixtureName {
  if (spec.kind === 'radio') return 'sim_radio_mp2';
  if (!spec.hd) return 't3_576i_mpeg2';
  if (index % 7 === 1) return 't2_1080i_eac3_ad_wrap'; // two languages, one of them audio description (3sat HD)
  return index % 7 === 5 ? 't4_720p_eac3' : 't1_720p50_ac3_mp2';
}

function buildChannel(
  spec: ServiceSpec,
  index: number,
  seed: number,
  ids: IdAllocator,
  counted: boolean,
): SimChannel {
  const curatedIds = spec.sid !== undefined && spec.tsid !== undefined;
  const orbit = curatedIds ? ORBITS[0]![0] : orbitFor(seed, index);
  const sid = spec.sid ?? ids.sid();
  const tsid = spec.tsid ?? orbit.tsidBase + Math.floor(index / SERVICES_PER_TRANSPONDER);
  // A few satellite services carry a frequency "sub-network" in the low 16 bits of the namespace.
  const subNetwork = !curatedIds && orbit.namespace < 0xeeee0000 && index % 13 === 4;
  const namespace = subNetwork
    ? orbit.namespace | (0x0a00 + (hash32(seed, 'ns', index) & 0xff))
    : orbit.namespace;
  const serviceType = spec.kind === 'radio' ? RADIO_TYPE : spec.hd ? HD_TYPE : SD_TYPE;
  const ref = dvbRef({ serviceType, sid, tsid, onid: orbit.onid, namespace });
  return {
    ref,
    name: spec.name,
    kind: spec.kind,
    counted,
    serviceType,
    sid,
    tsid,
    onid: orbit.onid,
    namespace,
    transponder: `${tsid.toString(16)}:${orbit.onid.toString(16)}:${namespace.toString(16)}`.toUpperCase(),
    provider: spec.provider,
    hd: spec.hd,
    fixture: fixtureFor(spec, index),
    encrypted: spec.encrypted,
    hasEpg: index % 23 !== 13,
    ...(counted && index % 4 === 0 ? { lcn: index + 1 } : {}),
    piconFile: null,
    piconVia: 'none',
    epgKey: hash32(seed, 'epg', spec.name, sid),
  };
}

function tvSpec(index: number): ServiceSpec {
  const curated = CURATED_TV[index];
  if (curated) {
    return {
      name: curated.name,
      provider: curated.provider,
      kind: 'tv',
      hd: curated.hd ?? /\bHD\b/.test(curated.name),
      encrypted: curated.encrypted !== undefined,
      ...(curated.sid !== undefined ? { sid: curated.sid } : {}),
      ...(curated.tsid !== undefined ? { tsid: curated.tsid } : {}),
    };
  }
  const n = index - CURATED_TV.length;
  const hd = n % 3 !== 2;
  return {
    name: syntheticChannelName(n, hd),
    provider: 'Regional',
    kind: 'tv',
    hd,
    encrypted: n % 97 === 50,
  };
}

export interface GeneratedServices {
  tv: SimChannel[];
  hidden: SimChannel[];
  radio: SimChannel[];
}

/** `tvCount` counted TV services, two hidden ones and the radio services, with ids unique across all. */
export function generateServices(tvCount: number, seed: number): GeneratedServices {
  const ids = new IdAllocator();
  for (const curated of CURATED_TV) if (curated.sid !== undefined) ids.reserve(curated.sid);
  const tv = Array.from({ length: tvCount }, (_, index) =>
    buildChannel(tvSpec(index), index, seed, ids, true),
  );
  const hidden = ['Service intern', 'Testbild HD'].map((name, offset) =>
    buildChannel(
      { name, provider: 'Technik', kind: 'tv', hd: name.endsWith('HD'), encrypted: false },
      tvCount + offset,
      seed,
      ids,
      false,
    ),
  );
  const radio = RADIO_NAMES.map((name, offset) =>
    buildChannel(
      { name, provider: offset < 3 ? 'ORF' : 'ARD', kind: 'radio', hd: false, encrypted: false },
      tvCount + hidden.length + offset,
      seed,
      ids,
      false,
    ),
  );
  return { tv, hidden, radio };
}

/** The picon file a service stores on the box, chosen so every fallback step of §6 occurs in the dataset. */
function storedPiconFor(channel: SimChannel, index: number, seed: number): string | null {
  const exact = piconBaseName(channel.ref);
  if (!exact) return null;
  const curated = CURATED_TV.find((entry) => entry.name === channel.name);
  if (curated?.sdTwinOf) return snpName(channel.name); // shared with the HD twin via "snp without hd"
  if (CURATED_TV.some((entry) => entry.sdTwinOf === channel.name)) return null;
  const roll = hash32(seed, 'picon', index) % 100;
  const fields = exact.split('_');
  if (roll < 55) return exact;
  if (roll < 65 && (channel.namespace & 0xffff) !== 0) {
    fields[6] = (channel.namespace & 0xffff0000).toString(16).toUpperCase();
    return fields.join('_');
  }
  if (roll < 75 && channel.serviceType !== 1) {
    fields[2] = '1';
    return fields.join('_');
  }
  if (roll < 88) return snpName(channel.name);
  return null;
}

/** Places picon files for the services, then records for each which file the box's chain finds. */
export function placePicons(
  channels: readonly SimChannel[],
  extraFiles: readonly string[],
  seed: number,
): Map<string, number> {
  const files = new Map<string, number>();
  channels.forEach((channel, index) => {
    const file = storedPiconFor(channel, index, seed);
    if (file) files.set(file, hash32(seed, 'colour', file));
  });
  for (const file of extraFiles) files.set(file, hash32(seed, 'colour', file));
  for (const channel of channels) {
    const hit = resolvePicon(channel.ref, channel.name, files);
    channel.piconFile = hit?.file ?? null;
    channel.piconVia = hit?.step ?? 'none';
  }
  return files;
}
