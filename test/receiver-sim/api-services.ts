/** `/api/bouquets`, `/api/getservices`, `/api/getallservices` (OpenWebIF models/services.py semantics). */
import { performance } from 'node:perf_hooks';
import { BoxFailure, json, processingTime, type BoxContext, type WebReply } from './box-context.js';
import type { SimBouquet, SimEntry } from './model.js';
import type { PyJson } from './py-json.js';
import { FLAG_INVISIBLE, FLAG_MARKER, FLAG_NUMBERED_MARKER, decodeRef, resolvePicon } from './refs.js';

export const DEFAULT_PICON = '/images/default_picon.png';

interface ServiceListOptions {
  showHidden: boolean;
  showAll: boolean;
  picon: boolean;
  showProviders: boolean;
  noIptv: boolean;
  removeName: boolean;
  excludeProgram: boolean;
  showStreamRelay: boolean;
}

function flagSet(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== '' && value !== '0';
}

function listOptions(ctx: BoxContext, query: URLSearchParams): ServiceListOptions {
  const exclude = (query.get('exclude') ?? '').split(',');
  return {
    // The `hiddenEntries` fault: an image that lists invisible entries whatever the client asks.
    showHidden: flagSet(query, 'hidden') || ctx.faults().hiddenEntries,
    showAll: query.get('showall') !== '0',
    picon: flagSet(query, 'picon'),
    showProviders: flagSet(query, 'showproviders'),
    noIptv: flagSet(query, 'noiptv') || exclude.includes('iptv'),
    removeName: flagSet(query, 'removenamefromsref'),
    excludeProgram: exclude.includes('program'),
    showStreamRelay: flagSet(query, 'showstreamrelay'),
  };
}

export function piconUrl(ctx: BoxContext, ref: string, name: string): string {
  const hit = resolvePicon(ref, name, ctx.dataset.piconFiles);
  return hit ? `/picon/${hit.file}.png` : DEFAULT_PICON;
}

/** Python `int(ref.split(':')[3], 16)`; refs without a hex SID field give 0. */
function program(ref: string): number {
  const value = Number.parseInt(ref.split(':')[3] ?? '0', 16);
  return Number.isFinite(value) ? value : 0;
}

function isIptvRef(ref: string): boolean {
  return (
    ref.includes('4097:') || ref.includes('5002:') || ref.includes('http%3a') || ref.includes('https%3a')
  );
}

/** The "C" (comparable) form: the trailing name field dropped. */
function withoutName(ref: string): string {
  const parts = ref.split(':');
  return parts.length > 11 ? [...parts.slice(0, -1), ''].join(':') : ref;
}

/** Channel numbers a bouquet consumes (the `opos` walk of getServices). */
export function numberedCount(bouquet: SimBouquet): number {
  let count = 0;
  for (const entry of bouquet.entries) {
    const hidden = entry.flags & FLAG_INVISIBLE;
    const numbered = entry.flags & FLAG_NUMBERED_MARKER;
    if (!hidden || numbered) {
      count++;
      if (!numbered && entry.flags & FLAG_MARKER) count--;
    }
  }
  return count;
}

function serviceRow(ctx: BoxContext, entry: SimEntry, pos: number, options: ServiceListOptions): PyJson {
  const row: Record<string, PyJson> = { pos: entry.flags & FLAG_MARKER ? 0 : pos };
  if (options.picon) row['picon'] = piconUrl(ctx, entry.ref, entry.name);
  row['servicename'] = entry.name;
  row['servicereference'] = options.removeName ? withoutName(entry.ref) : entry.ref;
  if (!options.excludeProgram) row['program'] = program(entry.ref);
  if (options.showProviders) row['provider'] = entry.kind === 'channel' ? entry.channel.provider : '';
  if (entry.flags === 0 && entry.kind === 'channel' && entry.channel.lcn !== undefined)
    row['lcn'] = entry.channel.lcn;
  if (options.showStreamRelay) row['streamrelay'] = ctx.dataset.streamRelayWhitelist.includes(entry.ref);
  return row;
}

interface ServiceList {
  pos: number;
  services: PyJson[];
}

function bouquetEntriesList(
  ctx: BoxContext,
  bouquet: SimBouquet,
  startPos: number,
  options: ServiceListOptions,
): ServiceList {
  let pos = startPos;
  const services: PyJson[] = [];
  for (const entry of bouquet.entries) {
    const { flags } = entry;
    if (flags & FLAG_NUMBERED_MARKER || (!(flags & FLAG_INVISIBLE) && !(flags & FLAG_MARKER))) pos++;
    const showIptv = !(options.noIptv && isIptvRef(entry.ref));
    if (showIptv && (!(flags & FLAG_INVISIBLE) || options.showHidden) && (options.showAll || flags === 0)) {
      services.push(serviceRow(ctx, entry, pos, options));
    }
  }
  return { pos, services };
}

/** The bouquet list itself (empty sRef or a bouquets.tv/radio ref): rows carry `startpos`. */
function bouquetList(ctx: BoxContext, kind: 'tv' | 'radio', options: ServiceListOptions): ServiceList {
  let pos = 0;
  let opos = 0;
  const services: PyJson[] = [];
  for (const bouquet of ctx.index.listedBouquets(kind)) {
    const startpos = opos;
    opos += numberedCount(bouquet);
    pos++;
    const row: Record<string, PyJson> = { pos, startpos };
    if (options.picon) row['picon'] = DEFAULT_PICON;
    row['servicename'] = bouquet.name;
    row['servicereference'] = bouquet.ref;
    if (!options.excludeProgram) row['program'] = 0;
    if (options.showProviders) row['provider'] = '';
    if (options.showStreamRelay) row['streamrelay'] = false;
    services.push(row);
  }
  return { pos, services };
}

export function isFailingBouquet(bouquet: SimBouquet, patterns: readonly string[]): boolean {
  const name = bouquet.name.toLowerCase();
  const ref = decodeRef(bouquet.ref).toLowerCase();
  return patterns.some((pattern) => {
    const needle = decodeRef(pattern).trim().toLowerCase();
    return needle !== '' && (name.includes(needle) || ref === needle);
  });
}

function pythonTraceback(message: string): string {
  return (
    'Traceback (most recent call last):\n' +
    '  File "/usr/lib/enigma2/python/Plugins/Extensions/OpenWebif/controllers/base.py", line 153, in render\n' +
    '    data = func(request)\n' +
    '  File "/usr/lib/enigma2/python/Plugins/Extensions/OpenWebif/controllers/models/services.py", line 578, in getServices\n' +
    `    for sitem in slist:\nRuntimeError: ${message}`
  );
}

export function bouquets(ctx: BoxContext, query: URLSearchParams): WebReply {
  const kind = query.get('stype') === 'radio' ? 'radio' : 'tv';
  const listed = ctx.index.listedBouquets(kind).map((bouquet) => [bouquet.ref, bouquet.name]);
  const extra = kind === 'tv' ? ctx.faults().extraBouquets : 0;
  for (let index = 0; index < extra; index++) listed.push([extraBouquetRef(index), `Extra ${index + 1}`]);
  return json({ bouquets: listed });
}

export function getServices(ctx: BoxContext, query: URLSearchParams): WebReply {
  const started = performance.now();
  const sRef = query.get('sRef') ?? '';
  const options = listOptions(ctx, query);
  let list: ServiceList;
  if (sRef === '' || sRef.includes(' "bouquets.tv" ') || sRef.includes(' "bouquets.radio" ')) {
    list = bouquetList(ctx, sRef.includes('bouquets.radio') ? 'radio' : 'tv', options);
  } else {
    const bouquet = ctx.index.bouquet(sRef);
    if (bouquet && isFailingBouquet(bouquet, ctx.faults().failingBouquets)) {
      throw new BoxFailure(pythonTraceback(`bouquet "${bouquet.file}" could not be read`));
    }
    list = bouquet ? bouquetEntriesList(ctx, bouquet, 0, options) : { pos: 0, services: [] };
  }
  return json({
    result: true,
    processingtime: processingTime(started, performance.now()),
    pos: list.pos,
    services: list.services,
  });
}

export function getAllServices(ctx: BoxContext, query: URLSearchParams): WebReply {
  const started = performance.now();
  const kind = query.has('type') ? 'radio' : 'tv';
  const options = { ...listOptions(ctx, query), showHidden: ctx.faults().hiddenEntries };
  let pos = 0;
  const services: PyJson[] = [];
  for (const bouquet of ctx.index.listedBouquets(kind)) {
    const list = bouquetEntriesList(ctx, bouquet, pos, options);
    services.push({ servicereference: bouquet.ref, servicename: bouquet.name, subservices: list.services });
    pos = list.pos;
  }
  return json({ result: true, processingtime: processingTime(started, performance.now()), services });
}

/** Reference of the `extraBouquets` fault's bouquets (the box lists them; they hold no services). */
function extraBouquetRef(index: number): string {
  return `1:7:1:0:0:0:0:0:0:0:FROM BOUQUET "userbouquet.extra${index}.tv" ORDER BY bouquet`;
}
