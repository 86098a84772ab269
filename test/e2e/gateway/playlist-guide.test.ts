import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseM3U, type M3uChannel } from '@iptv/playlist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientVisibleText, epgEventsFor, type SimChannel } from '../../receiver-sim/index.js';
import { nextRefreshOutcome } from '../../support/catalog-harness.js';
import { expectedChannelCount } from '../../medium/catalog/expected.js';
import {
  ADMIN_TOKEN,
  bearer,
  READ_TOKEN,
  startGateway,
  STREAM_TOKEN,
  type GatewayUnderTest,
} from './support/gateway-harness.js';
import { call, metric, rawGet } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

const DTD = '/usr/share/xmltv/xmltv.dtd';
let stack: Stack;
let numbered: GatewayUnderTest;
let expiring: GatewayUnderTest;
const dir = mkdtempSync(join(tmpdir(), 'e2gate-guide-'));

beforeAll(async () => {
  stack = await startStack({ sim: { bouquets: 3, channels: 30, epgDays: 2 } });
  numbered = await startGateway({ natsUrl: stack.nats.url, env: { E2GATE_XMLTV_ID: 'number' } });
  expiring = await startGateway({ natsUrl: stack.nats.url, env: { E2GATE_URL_SIGNING_TTL: '1h' } });
  await Promise.all([
    numbered.follower.whenServing(stack.version),
    expiring.follower.whenServing(stack.version),
  ]);
}, 180_000);

afterAll(async () => {
  await numbered?.close();
  await expiring?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (
  gateway: GatewayUnderTest,
  path: string,
  token = STREAM_TOKEN,
  headers: Record<string, string> = {},
) => call(gateway.url + path, { headers: { ...bearer(token), ...headers } });

/** The guide id the XMLTV spec and our reference derive from the DVB triplet (computed here, not by the app). */
function dvbGuideId(channel: SimChannel): string {
  return (
    [channel.sid, channel.tsid, channel.onid, channel.namespace].map((n) => n.toString(16)).join('-') + '.dvb'
  );
}

function tvChannelsWithFirstBouquet(): Map<SimChannel, string> {
  const out = new Map<SimChannel, string>();
  for (const bouquet of stack.sim.dataset.bouquets.filter((b) => b.kind === 'tv')) {
    for (const entry of bouquet.entries) {
      if (entry.kind === 'channel' && !out.has(entry.channel)) out.set(entry.channel, bouquet.name);
    }
  }
  return out;
}

/** Runs `xmllint --dtdvalid` (throws unless the file is valid) and `tv_validate_file` (output and exit status). */
function validate(
  xml: string,
  name: string,
): { xmllint: string; tvValidate: string; tvValidateExit: number } {
  const path = join(dir, name);
  writeFileSync(path, xml);
  const xmllint = execFileSync('xmllint', ['--noout', '--dtdvalid', DTD, path], {
    encoding: 'utf8',
    stdio: 'pipe',
  });
  try {
    const tvValidate = execFileSync('tv_validate_file', ['--dtd-file', DTD, path], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { xmllint, tvValidate, tvValidateExit: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; status?: number | null };
    return {
      xmllint,
      tvValidate: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
      tvValidateExit: failed.status ?? -1,
    };
  }
}

describe('/playlist.m3u', () => {
  let entries: M3uChannel[];
  let header: ReturnType<typeof parseM3U>['headers'];

  beforeAll(async () => {
    const reply = await get(stack.gateway, '/playlist.m3u');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('audio/x-mpegurl; charset=utf-8');
    ({ channels: entries, headers: header } = parseM3U(reply.text));
  });

  it('is read by an independent parser with every channel of the receiver', () => {
    expect(entries).toHaveLength(expectedChannelCount(stack.sim.dataset));
    const numbers = entries.map((entry) => Number(entry.extras?.['tvg-chno']));
    expect(new Set(numbers).size).toBe(entries.length);
    expect(numbers.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(header?.xTvgUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/xmltv\.xml\?sig=/);
    expect(header?.urlTvg).toBe(header?.xTvgUrl);
  });

  it('has the DVB guide id, name, group and logo the simulator predicts for each DVB channel', async () => {
    const byId = new Map(entries.map((entry) => [entry.tvgId, entry]));
    const expected = tvChannelsWithFirstBouquet();
    expect(expected.size).toBeGreaterThan(20);
    for (const [channel, bouquet] of expected) {
      const entry = byId.get(dvbGuideId(channel));
      expect(entry, channel.name).toBeDefined();
      const name = clientVisibleText(channel.name).replace(/"/g, "'");
      expect(entry!.tvgName).toBe(name);
      expect(entry!.name).toBe(name.replace(/,/g, '\u201a'));
      expect(entry!.groupTitle).toBe(bouquet.replace(/"/g, "'"));
      if (channel.piconFile !== null) expect(entry!.tvgLogo, channel.name).toMatch(/\/picons\/.+\.png\?sig=/);
    }
    const logo = await call(entries.find((entry) => entry.tvgLogo)!.tvgLogo!);
    expect(logo.headers.get('content-type')).toBe('image/png');
  });

  it('points every entry at a signed /stream URL of its own', () => {
    const urls = entries.map((entry) => entry.url!);
    expect(new Set(urls).size).toBe(urls.length);
    for (const url of urls)
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stream\/[a-z0-9-]+\?sig=[A-Za-z0-9_-]{32}$/);
  });

  it('filters by bouquet (id, or name in any case) and 404s an unknown one', async () => {
    const bouquet = stack.gateway.follower.current!.snapshot.bouquets[1]!;
    for (const key of [bouquet.id, bouquet.name, bouquet.name.toUpperCase()]) {
      const reply = await get(stack.gateway, `/playlist.m3u?bouquet=${encodeURIComponent(key)}`);
      const filtered = parseM3U(reply.text).channels;
      expect(filtered).toHaveLength(bouquet.channelIds.length);
      expect(new Set(filtered.map((entry) => entry.groupTitle))).toEqual(
        new Set([bouquet.name.replace(/"/g, "'")]),
      );
    }
    const missing = await get(stack.gateway, '/playlist.m3u?bouquet=nope');
    expect(missing.status).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });
});

describe('/xmltv.xml', () => {
  it('passes tv_validate_file and xmllint --dtdvalid; channel ids match the playlist tvg-ids', async () => {
    const reply = await get(stack.gateway, '/xmltv.xml');
    expect(reply.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const { xmllint, tvValidate, tvValidateExit } = validate(reply.text, 'guide.xml');
    expect(xmllint).toBe('');
    expect([tvValidateExit, tvValidate.trim()]).toEqual([0, 'Validated ok.']);
    const playlistIds = new Set(
      parseM3U((await get(stack.gateway, '/playlist.m3u')).text).channels.map((c) => c.tvgId),
    );
    const channelIds = [...reply.text.matchAll(/<channel id="([^"]+)">/g)].map((match) => match[1]);
    const withEpg = [...tvChannelsWithFirstBouquet().keys()].filter((channel) => channel.hasEpg);
    expect(channelIds.length).toBeGreaterThanOrEqual(withEpg.length);
    for (const id of channelIds) expect(playlistIds.has(id)).toBe(true);
    for (const channel of withEpg) expect(channelIds).toContain(dvbGuideId(channel));
    expect(reply.text).toMatch(/<icon src="http:\/\/127\.0\.0\.1:\d+\/picons\/[^"]+\.png\?sig=[^"]+"\/>/);
  });

  it('carries the simulator’s events: times with offset, titles, categories, lang', async () => {
    const xml = (await get(stack.gateway, '/xmltv.xml')).text;
    const channel = [...tvChannelsWithFirstBouquet().keys()].find((c) => c.hasEpg)!;
    const id = dvbGuideId(channel);
    const programmes = [
      ...xml.matchAll(
        /<programme start="(\d{14}) \+0000" stop="\d{14} \+0000" channel="([^"]+)">\n {4}<title lang="de">([^<]*)<\/title>/g,
      ),
    ]
      .filter((match) => match[2] === id)
      .map((match) => ({ start: match[1]!, title: match[3]! }));
    expect(programmes.length).toBeGreaterThan(10);
    const window = stack.gateway.follower.current!.snapshot.epgWindow;
    const simEvents = epgEventsFor(stack.sim.dataset, channel.ref, {
      time: String(window.from),
      endTime: String(window.to),
    });
    const stamp = (epoch: number) => new Date(epoch * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const expected = new Set(
      simEvents.filter((e) => e.duration > 0).map((e) => `${stamp(e.begin)} ${clientVisibleText(e.title)}`),
    );
    const unescape = (text: string) =>
      text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const programme of programmes)
      expect(expected.has(`${programme.start} ${unescape(programme.title)}`)).toBe(true);
    expect(xml).toMatch(
      /<category lang="en">(Movie|News|Show|Sports|Children|Music|Arts|Social|Education|Leisure)<\/category>/,
    );
  });

  it('uses channel numbers as ids with E2GATE_XMLTV_ID=number, in the guide and the playlist alike', async () => {
    const xml = (await get(numbered, '/xmltv.xml')).text;
    const ids = [...xml.matchAll(/<channel id="([^"]+)">/g)].map((match) => match[1]!);
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.every((id) => /^\d+$/.test(id))).toBe(true);
    // The DTD accepts numeric ids; tv_validate_file's id heuristic (`name.domain`) does not, and that must be its
    // only complaint: one "Invalid channel-id" line per channel, one error kind, nothing else.
    const { xmllint, tvValidate, tvValidateExit } = validate(xml, 'numbered.xml');
    expect(xmllint).toBe('');
    expect(tvValidateExit).toBe(1);
    const lines = tvValidate.trim().split('\n');
    expect(lines.at(-1)).toBe('1 error found.');
    const complaints = lines.slice(0, -1);
    for (const line of complaints) expect(line).toMatch(/^Line \d+ Invalid channel-id '\d+'$/);
    expect(complaints.map((line) => /'(\d+)'/.exec(line)![1])).toEqual(ids);
    const playlist = parseM3U((await get(numbered, '/playlist.m3u')).text).channels;
    for (const entry of playlist) expect(entry.tvgId).toBe(entry.extras?.['tvg-chno']);
    expect(ids.every((id) => playlist.some((entry) => entry.tvgId === id))).toBe(true);
  });
});

describe('ETag, 304, gzip, rendering once per version', () => {
  for (const path of ['/playlist.m3u', '/xmltv.xml', '/lineup.json']) {
    it(`${path}: 304 on If-None-Match, gzip when accepted`, async () => {
      const plain = await rawGet(stack.gateway.url + path, bearer(STREAM_TOKEN));
      const etag = plain.headers['etag'] as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
      expect(plain.headers['vary']).toBe('Accept-Encoding');
      const again = await rawGet(stack.gateway.url + path, {
        ...bearer(STREAM_TOKEN),
        'if-none-match': etag,
      });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      const weak = await rawGet(stack.gateway.url + path, {
        ...bearer(STREAM_TOKEN),
        'if-none-match': `"x", W/${etag}`,
      });
      expect(weak.status).toBe(304);
      const other = await rawGet(stack.gateway.url + path, {
        ...bearer(STREAM_TOKEN),
        'if-none-match': '"other"',
      });
      expect(other.status).toBe(200);
      const zipped = await rawGet(stack.gateway.url + path, {
        ...bearer(STREAM_TOKEN),
        'accept-encoding': 'gzip',
      });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers['etag']).not.toBe(etag);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
      expect(zipped.body.length).toBeLessThan(plain.body.length);
      const zipped304 = await rawGet(stack.gateway.url + path, {
        ...bearer(STREAM_TOKEN),
        'accept-encoding': 'gzip',
        'if-none-match': zipped.headers['etag'] as string,
      });
      expect(zipped304.status).toBe(304);
    });
  }

  it('serves /xmltv.xml.gz as a gzip file', async () => {
    const file = await rawGet(`${stack.gateway.url}/xmltv.xml.gz`, {
      ...bearer(READ_TOKEN),
      'accept-encoding': 'gzip',
    });
    expect(file.headers['content-type']).toBe('application/gzip');
    expect(file.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(file.body).toString('utf8')).toContain('<tv ');
  });

  it('renders each document once per snapshot version and variant, whatever the number of requests', async () => {
    const gateway = await startGateway({ natsUrl: stack.nats.url });
    try {
      await gateway.follower.whenServing(stack.version);
      // prom-client's registry is per process and this file runs several gateways: compare deltas.
      const renders = async (document: string) =>
        metric((await call(`${gateway.url}/metrics`)).text, 'e2gate_gateway_renders_total', { document }) ??
        0;
      const [playlistBefore, xmltvBefore] = [await renders('playlist'), await renders('xmltv')];
      for (let i = 0; i < 5; i++) {
        await get(gateway, '/playlist.m3u');
        await get(gateway, '/xmltv.xml', READ_TOKEN);
      }
      await get(gateway, '/playlist.m3u', READ_TOKEN);
      expect((await renders('playlist')) - playlistBefore).toBe(2);
      expect((await renders('xmltv')) - xmltvBefore).toBe(1);
    } finally {
      await gateway.close();
    }
  });

  it('a different caller variant (may stream or not) gets other bytes and another ETag', async () => {
    const a = await get(stack.gateway, '/playlist.m3u', STREAM_TOKEN);
    const b = await get(stack.gateway, '/playlist.m3u', READ_TOKEN);
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
  });

  it('a new snapshot version changes the ETag, and the old one no longer matches', async () => {
    const before = await get(stack.gateway, '/playlist.m3u');
    const etag = before.headers.get('etag')!;
    const lastBouquet = stack.sim.dataset.bouquets.filter((b) => b.kind === 'tv').at(-1)!;
    await stack.sim.setFaults({ failingBouquets: [lastBouquet.name] });
    try {
      const outcome = nextRefreshOutcome(stack.catalog.nc, 120_000);
      const accepted = await call(`${stack.gateway.url}/api/v1/catalog/refresh`, {
        method: 'POST',
        headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'e2e: bouquet removed' }),
      });
      expect(accepted.status).toBe(202);
      const done = await outcome;
      expect(done.ok).toBe(true);
      if (!done.ok) return;
      expect(done.event.version).not.toBe(stack.version);
      await stack.gateway.follower.whenServing(done.event.version);
      const after = await get(stack.gateway, '/playlist.m3u', STREAM_TOKEN, { 'if-none-match': etag });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect(parseM3U(after.text).channels.length).toBeLessThan(parseM3U(before.text).channels.length);
    } finally {
      await stack.sim.resetFaults();
    }
  });
});

describe('signed URLs with an expiry (E2GATE_URL_SIGNING_TTL)', () => {
  it('carry exp, stop working once it passes, and a reloaded playlist has fresh ones', async () => {
    const first = await get(expiring, '/playlist.m3u');
    const stream = first.text.split('\n').find((line) => line.startsWith('http'))!;
    const exp = Number(/[?&]exp=(\d+)/.exec(stream)![1]);
    const now = Math.floor(Date.now() / 1000);
    expect(exp).toBeGreaterThanOrEqual(now + 3600);
    expect(exp).toBeLessThanOrEqual(now + 3600 + 900 + 5);
    expect((await call(stream)).json().code).toBe('UNAVAILABLE');
    expiring.clock.offsetMs = (exp - now + 60) * 1000;
    const expired = await call(stream);
    expect(expired.status).toBe(401);
    expect(expired.json().code).toBe('SIGNATURE_EXPIRED');
    const reloaded = await get(expiring, '/playlist.m3u');
    expect(reloaded.headers.get('etag')).not.toBe(first.headers.get('etag'));
    const fresh = reloaded.text.split('\n').find((line) => line.startsWith('http'))!;
    expect((await call(fresh)).json().code).toBe('UNAVAILABLE');
    expiring.clock.offsetMs = 0;
  });
});
