/** The web port's routing table: path → handler, with the endpoint's name for faults and stats. */
import { about, getCurrent, statusInfo, tunerSignal, zap } from './api-box.js';
import { epgBouquet, epgBouquetNowNext, epgBouquetSize, epgService, epgServiceNowNext } from './api-epg.js';
import { movieList, movieLocations, timerList } from './api-recordings.js';
import { DEFAULT_PICON, bouquets, getAllServices, getServices } from './api-services.js';
import type { BoxContext, WebReply, WebRequest } from './box-context.js';
import { piconPng } from './png.js';
import { servicesM3u, streamM3u, webEpgService, webGetServices } from './web-routes.js';

export interface Route {
  /** Stats key: the path, or `/picon` for all picons. */
  endpoint: string;
  /** Name used by `malformedJson` (`bouquets`, `getservices`, `epgservice`, …). */
  name: string;
  epg: boolean;
  /** Extra cost of the call (ms) on top of the latency knobs. */
  cost?(ctx: BoxContext, request: WebRequest): number;
  handle(ctx: BoxContext, request: WebRequest): WebReply;
}

type Handler = (ctx: BoxContext, request: WebRequest) => WebReply;

const api = (name: string, handle: Handler, epg = false): [string, Route] => [
  `/api/${name}`,
  { endpoint: `/api/${name}`, name, epg, handle },
];

const ROUTES = new Map<string, Route>([
  api('about', (ctx) => about(ctx)),
  api('statusinfo', (ctx) => statusInfo(ctx)),
  api('tunersignal', (ctx) => tunerSignal(ctx)),
  api('signal', (ctx) => tunerSignal(ctx)),
  api('getcurrent', (ctx) => getCurrent(ctx)),
  api('zap', (ctx, r) => zap(ctx, r.query)),
  api('bouquets', (ctx, r) => bouquets(ctx, r.query)),
  api('getservices', (ctx, r) => getServices(ctx, r.query)),
  api('getallservices', (ctx, r) => getAllServices(ctx, r.query)),
  api('epgservice', (ctx, r) => epgService(ctx, r.query), true),
  api('epgbouquet', (ctx, r) => epgBouquet(ctx, r.query), true),
  api('epgmulti', (ctx, r) => epgBouquet(ctx, r.query), true),
  api('epgnow', (ctx, r) => epgBouquetNowNext(ctx, r.query, 'now'), true),
  api('epgnext', (ctx, r) => epgBouquetNowNext(ctx, r.query, 'next'), true),
  api('epgnownext', (ctx, r) => epgBouquetNowNext(ctx, r.query, 'nownext'), true),
  api('epgservicenow', (ctx, r) => epgServiceNowNext(ctx, r.query, 'now'), true),
  api('epgservicenext', (ctx, r) => epgServiceNowNext(ctx, r.query, 'next'), true),
  api('epgservicenownext', (ctx, r) => epgServiceNowNext(ctx, r.query, 'nownext'), true),
  api('movielist', (ctx, r) => movieList(ctx, r.query)),
  api('getlocations', () => movieLocations()),
  api('timerlist', (ctx) => timerList(ctx)),
  [
    '/web/epgservice',
    {
      endpoint: '/web/epgservice',
      name: 'web/epgservice',
      epg: true,
      handle: (ctx, r) => webEpgService(ctx, r.query),
    },
  ],
  [
    '/web/getservices',
    {
      endpoint: '/web/getservices',
      name: 'web/getservices',
      epg: false,
      handle: (ctx, r) => webGetServices(ctx, r.query),
    },
  ],
  ['/web/stream.m3u', { endpoint: '/web/stream.m3u', name: 'web/stream.m3u', epg: false, handle: streamM3u }],
  [
    '/web/services.m3u',
    { endpoint: '/web/services.m3u', name: 'web/services.m3u', epg: false, handle: servicesM3u },
  ],
]);

const epgBouquetRoute = ROUTES.get('/api/epgbouquet')!;
epgBouquetRoute.cost = (ctx, request) =>
  epgBouquetSize(ctx, request.query) * ctx.faults().epgBouquetMsPerService;
ROUTES.get('/api/epgmulti')!.cost = epgBouquetRoute.cost;

const PNG_CACHE_LIMIT = 5000;
const pngCache = new Map<number, Buffer>();

function cachedPng(seed: number): Buffer {
  let png = pngCache.get(seed);
  if (!png) {
    if (pngCache.size >= PNG_CACHE_LIMIT) pngCache.clear();
    png = piconPng(seed);
    pngCache.set(seed, png);
  }
  return png;
}

const piconRoute: Route = {
  endpoint: '/picon',
  name: 'picon',
  epg: false,
  handle(ctx, request) {
    let file: string;
    try {
      file = decodeURIComponent(request.path.slice('/picon/'.length));
    } catch {
      return { kind: 'not-found' };
    }
    const seed = file.endsWith('.png') ? ctx.dataset.piconFiles.get(file.slice(0, -4)) : undefined;
    return seed === undefined ? { kind: 'not-found' } : { kind: 'png', body: cachedPng(seed) };
  },
};

const defaultPiconRoute: Route = {
  endpoint: DEFAULT_PICON,
  name: 'default_picon',
  epg: false,
  handle: () => ({ kind: 'png', body: cachedPng(0x808080) }),
};

export function findRoute(path: string): Route | null {
  if (path.startsWith('/picon/')) return piconRoute;
  if (path === DEFAULT_PICON) return defaultPiconRoute;
  return ROUTES.get(path) ?? null;
}
