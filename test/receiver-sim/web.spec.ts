import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epgEventsFor } from './epg.js';
import type { SimBouquet } from './model.js';
import { startReceiverSim, type ReceiverSim } from './sim.js';
import { apiUrl, getJson, httpGet } from './spec-support.js';

const NOW = Date.UTC(2025, 10, 21, 19, 7, 30);

/** The client side of OpenWebIF text: HTML entities undone (independent of the simulator's escaping). */
function unescapeHtml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#x27|#39);/g,
    (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'" })[entity] ?? '',
  );
}

interface ServiceRow {
  pos: number;
  startpos?: number;
  servicename: string;
  servicereference: string;
  program: number;
  picon?: string;
  lcn?: number;
  streamrelay?: boolean;
}
interface ServicesReply {
  result: boolean;
  processingtime: string;
  pos: number;
  services: ServiceRow[];
}

let sim: ReceiverSim;
const tv = (): SimBouquet[] => sim.dataset.bouquets.filter((bouquet) => bouquet.kind === 'tv');
const url = (path: string, params: Record<string, string | number> = {}): string =>
  apiUrl(sim.url, path, params);

beforeAll(async () => {
  sim = await startReceiverSim({ seed: 5, channels: 40, now: () => NOW });
});
afterAll(() => sim.close());

describe('box information', () => {
  it('answers /api/about with tuners and versions', async () => {
    const about = await getJson<{
      info: { tuners: unknown[]; model: string; imagedistro: string };
      service: object;
    }>(url('/api/about'));
    expect(about.info.tuners).toHaveLength(4);
    expect(typeof about.info.model).toBe('string');
    expect(about.info.imagedistro).toBe('openatv');
    expect(about.service).toBeTypeOf('object');
  });

  it('sends statusinfo flags as the strings "true"/"false" and follows a zap', async () => {
    const target = sim.dataset.channels.find(
      (channel) => channel.counted && channel.hasEpg && channel.name === 'ORF1 HD',
    )!;
    expect(await getJson(url('/api/zap', { sRef: target.ref.toLowerCase() }))).toEqual({
      result: true,
      message: "Active service is now 'ORF1 HD'",
    });
    const status = await getJson<Record<string, unknown>>(url('/api/statusinfo'));
    expect(status).toMatchObject({
      inStandby: 'false',
      isRecording: 'false',
      isStreaming: 'false',
      muted: false,
      volume: 50,
    });
    expect(status['currservice_serviceref']).toBe(target.ref);
    expect(typeof status['currservice_begin_timestamp']).toBe('number');
  });
});

describe('bouquets and services', () => {
  it('lists the TV and radio bouquets as [ref, name] pairs', async () => {
    const reply = await getJson<{ bouquets: [string, string][] }>(url('/api/bouquets'));
    expect(reply.bouquets).toEqual(tv().map((bouquet) => [bouquet.ref, bouquet.name]));
    const radio = await getJson<{ bouquets: [string, string][] }>(url('/api/bouquets', { stype: 'radio' }));
    expect(radio.bouquets.map(([, name]) => name)).toEqual(['Radio Favoriten']);
  });

  it('numbers channels across bouquets consistently: startpos, per-bouquet pos and getallservices agree', async () => {
    const list = await getJson<ServicesReply>(url('/api/getservices'));
    expect(list.services.map((row) => row.servicereference)).toEqual(tv().map((bouquet) => bouquet.ref));
    expect(list.processingtime).toMatch(/^0:00:00(\.\d{6})?$/);
    const all = await getJson<{ services: { servicereference: string; subservices: ServiceRow[] }[] }>(
      url('/api/getallservices'),
    );
    for (const [i, row] of list.services.entries()) {
      const own = await getJson<ServicesReply>(url('/api/getservices', { sRef: row.servicereference }));
      const nextStart = list.services[i + 1]?.startpos;
      if (nextStart !== undefined) expect(own.pos).toBe(nextStart - row.startpos!);
      const numbered = all.services[i]!.subservices.filter((service) => service.pos > 0).map(
        (service) => service.pos,
      );
      expect(Math.min(...numbered)).toBeGreaterThan(row.startpos!);
      expect(Math.max(...numbered)).toBeLessThanOrEqual(row.startpos! + own.pos);
    }
  });

  it('shows markers with pos 0, program = int(SID, 16), hidden entries only with hidden=1, IPTV unless noiptv', async () => {
    const bouquet = tv()[0]!;
    const plain = await getJson<ServicesReply>(url('/api/getservices', { sRef: bouquet.ref }));
    const hidden = await getJson<ServicesReply>(url('/api/getservices', { sRef: bouquet.ref, hidden: 1 }));
    const noIptv = await getJson<ServicesReply>(url('/api/getservices', { sRef: bouquet.ref, noiptv: 1 }));
    for (const row of plain.services) {
      const flags = Number(row.servicereference.split(':')[1]);
      if (flags & 64) expect(row.pos).toBe(0);
      else expect(row.pos).toBeGreaterThan(0);
      expect(row.program).toBe(Number.parseInt(row.servicereference.split(':')[3]!, 16));
      expect(Number.isInteger(row.program)).toBe(true);
    }
    expect(plain.services.some((row) => row.servicereference.startsWith('1:832:'))).toBe(false);
    expect(hidden.services.some((row) => row.servicereference.startsWith('1:832:'))).toBe(true);
    expect(plain.services.some((row) => row.servicereference.startsWith('4097:'))).toBe(true);
    expect(noIptv.services.some((row) => row.servicereference.includes('http%3a'))).toBe(false);
    expect(plain.services.some((row) => row.lcn !== undefined && Number.isInteger(row.lcn))).toBe(true);
    expect(
      plain.services.some(
        (row) => row.servicereference === row.servicereference.toLowerCase() && row.program > 0,
      ),
    ).toBe(true);
  });

  it('lists the sub-bouquet and the alternatives group through their refs', async () => {
    for (const nested of sim.dataset.nestedBouquets) {
      const reply = await getJson<ServicesReply>(url('/api/getservices', { sRef: nested.ref }));
      expect(reply.services.map((row) => row.servicename)).toEqual(nested.entries.map((entry) => entry.name));
    }
  });

  it('returns radio services for getallservices?type=radio', async () => {
    const reply = await getJson<{ services: { servicename: string; subservices: ServiceRow[] }[] }>(
      url('/api/getallservices', { type: 'radio' }),
    );
    expect(reply.services[0]!.subservices.some((row) => row.servicereference.startsWith('1:0:2:'))).toBe(
      true,
    );
  });

  it('hands out picon URLs that the picon path serves (exact, fallback names, default)', async () => {
    const rows = (
      await Promise.all(
        tv().map((bouquet) =>
          getJson<ServicesReply>(url('/api/getservices', { sRef: bouquet.ref, picon: 1 })),
        ),
      )
    ).flatMap((reply) => reply.services);
    const picons = new Set(rows.flatMap((row) => (row.picon ? [row.picon] : [])));
    expect(picons.has('/images/default_picon.png')).toBe(true);
    expect([...picons].some((picon) => /^\/picon\/1_0_19_[0-9A-F_]+\.png$/.test(picon))).toBe(true);
    expect([...picons].some((picon) => /^\/picon\/[a-z0-9]+\.png$/.test(picon))).toBe(true);
    for (const picon of picons) {
      const res = await httpGet(url(encodeURI(picon)));
      expect(res.status, picon).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.body.subarray(1, 4).toString()).toBe('PNG');
    }
    const missing = await httpGet(url('/picon/1_0_19_FFFF_FFFF_1_C00000_0_0_0.png'));
    expect(missing.status).toBe(404);
  });
});

describe('EPG', () => {
  const withEpg = (): NonNullable<ReturnType<typeof sim.dataset.channels.find>> =>
    sim.dataset.channels.find(
      (channel) => channel.counted && channel.hasEpg && channel.name === 'Das Erste HD',
    )!;

  it('serves the oracle events for a window, HTML-escaped with \\n line breaks, ids and times as ints', async () => {
    const channel = withEpg();
    const query = { time: NOW / 1000 + 3600, endTime: 600 };
    const reply = await getJson<{ result: boolean; events: Record<string, unknown>[] }>(
      url('/api/epgservice', { sRef: channel.ref, ...query }),
    );
    const expected = epgEventsFor(sim.dataset, channel.ref, query, NOW);
    expect(reply.result).toBe(true);
    expect(reply.events.map((event) => event['id'])).toEqual(expected.map((event) => event.id));
    reply.events.forEach((event, i) => {
      const raw = expected[i]!;
      expect(event).toMatchObject({
        sref: channel.ref,
        begin_timestamp: raw.begin,
        duration_sec: raw.duration,
        duration: Math.floor(raw.duration / 60),
        sname: channel.name,
        genreid: raw.genreid,
        now_timestamp: NOW / 1000,
      });
      expect(event['begin']).toMatch(/^\d\d:\d\d$/);
      expect(event['date']).toMatch(/^(Mo|Di|Mi|Do|Fr|Sa|So) \d\d\.\d\d\.\d{4}$/);
      expect(unescapeHtml(event['title'] as string)).toBe(raw.title.replace(/[\u0086\u0087\u008a]/g, ''));
      expect(unescapeHtml(event['longdesc'] as string)).toBe(raw.longdesc.replace(/\u008a/g, '\n'));
    });
    expect(
      reply.events.some(
        (event) => String(event['longdesc']).includes('&amp;') || String(event['title']).includes('&'),
      ),
    ).toBe(true);
  });

  it('reports a missing sRef as 200 + result false, an empty one with the dummy event', async () => {
    const missing = await httpGet(url('/api/epgservice'));
    expect(missing.status).toBe(200);
    expect(JSON.parse(missing.body.toString())).toEqual({
      result: false,
      message: "Missing mandatory parameter 'sRef'",
    });
    const empty = await getJson<{ events: Record<string, unknown>[] }>(url('/api/epgservice', { sRef: '' }));
    expect(empty.events[0]).toMatchObject({ date: 0, begin: 0, end: 0, title: 'N/A' });
  });

  it('returns events: [] for a channel without EPG', async () => {
    const none = sim.dataset.channels.find((channel) => !channel.hasEpg)!;
    expect(await getJson(url('/api/epgservice', { sRef: none.ref }))).toEqual({ events: [], result: true });
  });

  it('serves the same events as XML on /web/epgservice (well-formed per xmllint)', async () => {
    const channel = withEpg();
    const res = await httpGet(url('/web/epgservice', { sRef: channel.ref, endTime: 300 }));
    const xml = res.body.toString('utf8');
    execFileSync('xmllint', ['--noout', '-'], { input: res.body });
    const ids = [...xml.matchAll(/<e2eventid>(\d+)<\/e2eventid>/g)].map((match) => Number(match[1]));
    expect(ids).toEqual(
      epgEventsFor(sim.dataset, channel.ref, { endTime: 300 }, NOW).map((event) => event.id),
    );
    expect(xml).toContain('<e2eventservicename>Das Erste HD</e2eventservicename>');
    expect(xml).toMatch(/<e2eventgenre id="\d+">/);
  });

  it('answers epgbouquet for every EPG-capable entry, with N/A rows where there is none', async () => {
    const bouquet = tv()[0]!;
    const reply = await getJson<{ events: { id: number | null; sref: string; title: string }[] }>(
      url('/api/epgbouquet', { bRef: bouquet.ref, endTime: 120 }),
    );
    for (const entry of bouquet.entries.filter((item) => item.kind === 'channel')) {
      const own = reply.events.filter((event) => event.sref === entry.ref);
      const expected = epgEventsFor(sim.dataset, entry.ref, { endTime: 120 }, NOW);
      if (expected.length === 0) expect(own).toEqual([expect.objectContaining({ id: null, title: 'N/A' })]);
      else expect(own.map((event) => event.id)).toEqual(expected.map((event) => event.id));
    }
    expect(reply.events.some((event) => event.sref.startsWith('4097:') && event.title === 'N/A')).toBe(true);
  });

  it('answers now/next for a bouquet with one row per visible service', async () => {
    const bouquet = tv()[2]!;
    const reply = await getJson<{ events: { sref: string; asrefs?: string[] }[] }>(
      url('/api/epgnow', { bRef: bouquet.ref }),
    );
    const visible = bouquet.entries.filter(
      (entry) => !(entry.flags & 64) && !(entry.flags & 512) && entry.kind !== 'subbouquet',
    );
    expect(reply.events.map((event) => event.sref)).toEqual(visible.map((entry) => entry.ref));
    expect(reply.events.some((event) => Array.isArray(event.asrefs))).toBe(true);
  });
});

describe('transport and errors like a real box', () => {
  it('pretty-prints JSON with \\u escapes and gzips /api when accepted', async () => {
    const plain = await httpGet(url('/api/bouquets'));
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.body.toString()).toContain('\\u00d6sterreich');
    expect(plain.body.toString()).toMatch(/^\{\n "bouquets": \[\n {2}\[/);
    const zipped = await httpGet(url('/api/bouquets'), { 'Accept-Encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    const web = await httpGet(url('/web/getservices'), { 'Accept-Encoding': 'gzip' });
    expect(web.headers['content-encoding']).toBeUndefined();
  });

  it('answers unknown paths with the 404 HTML page', async () => {
    const res = await httpGet(url('/api/nosuchthing'));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.body.toString()).toContain('Error 404: Not found');
  });

  it('lists recordings with the mixed types of real boxes', async () => {
    const reply = await getJson<{ movies: Record<string, unknown>[]; bookmarks: unknown; directory: string }>(
      url('/api/movielist'),
    );
    expect(reply.directory).toBe('/media/hdd/movie/');
    expect(reply.movies.length).toBeGreaterThanOrEqual(3);
    const sizeTypes = new Set(reply.movies.map((movie) => typeof movie['filesize']));
    expect([...sizeTypes].sort()).toEqual(['number', 'string']);
    expect(reply.movies.some((movie) => movie['length'] === '?:??')).toBe(true);
    expect(
      reply.movies.every((movie) =>
        String(movie['serviceref']).startsWith('1:0:0:0:0:0:0:0:0:0:/media/hdd/movie/'),
      ),
    ).toBe(true);
    const timers = await getJson<{ timers: Record<string, unknown>[] }>(url('/api/timerlist'));
    expect(timers.timers.some((timer) => timer['dirname'] === 'None' && Array.isArray(timer['asrefs']))).toBe(
      true,
    );
    expect(timers.timers.some((timer) => timer['asrefs'] === '')).toBe(true);
  });
});

describe('stream playlists (openwebif.md §4)', () => {
  const ports = (): { stream: string; relay: string } => ({
    stream: new URL(sim.streamUrl).port,
    relay: new URL(sim.relayUrl).port,
  });

  it('writes the box format: trailing spaces, EXTINF with name, program= SID in decimal, the stream port', async () => {
    const channel = sim.dataset.channels.find((candidate) => candidate.name === 'ORF1 HD')!;
    const res = await httpGet(url('/web/stream.m3u', { ref: channel.ref, name: channel.name }));
    expect(res.body.toString()).toBe(
      `#EXTM3U \n#EXTVLCOPT:http-reconnect=true \n#EXTINF:-1,ORF1 HD\n#EXTVLCOPT:program=4911\nhttp://127.0.0.1:${ports().stream}/${channel.ref}\n`,
    );
  });

  it('sends encrypted services to the relay port, unwrapping the embedded relay form', async () => {
    const relayEntries = tv()
      .flatMap((bouquet) => bouquet.entries)
      .filter((entry) => entry.kind === 'channel' && entry.channel.encrypted);
    expect(relayEntries.some((entry) => entry.kind === 'channel' && entry.relayEmbedded)).toBe(true);
    for (const entry of relayEntries) {
      if (entry.kind !== 'channel') continue;
      const text = (await httpGet(url('/web/stream.m3u', { ref: entry.ref }))).body.toString();
      expect(text.trim().split('\n').at(-1)).toBe(`http://127.0.0.1:${ports().relay}/${entry.channel.ref}`);
    }
  });

  it('resolves an alternatives group to its first member', async () => {
    const group = tv()
      .flatMap((bouquet) => bouquet.entries)
      .find((entry) => entry.kind === 'alternatives')!;
    const text = (await httpGet(url('/web/stream.m3u', { ref: group.ref }))).body.toString();
    expect(text).toContain('#EXTVLCOPT:program=10301\n');
    expect(text).toContain(`/1:0:19:283D:3FB:1:C00000:0:0:0:\n`);
  });
});
