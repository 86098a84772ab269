import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenWebifClient, type OpenWebifClientOptions } from './openwebif.client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A scripted HTTP server: each test installs the handler it needs. */
let handler: Handler;
let server: Server;
let baseUrl: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hits.length = 0;
});

const client = (overrides: Partial<OpenWebifClientOptions> = {}) =>
  new OpenWebifClient({
    baseUrl,
    timeoutMs: 300,
    retries: 2,
    maxRps: 1000,
    concurrency: 4,
    epgConcurrency: 2,
    backoffInitialMs: 5,
    backoffMaxMs: 20,
    ...overrides,
  });

const json =
  (body: unknown, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

describe('OpenWebifClient', () => {
  it('parses bouquets and skips markers, hidden entries and sub-bouquets', async () => {
    handler = (req, res) =>
      req.url?.startsWith('/api/getservices')
        ? json({
            result: true,
            processingtime: '0:00:00.004121',
            services: [
              {
                pos: 0,
                servicename: '— News —',
                servicereference: '1:64:1:0:0:0:0:0:0:0::— News —',
                program: 0,
              },
              {
                pos: 1,
                servicename: 'Das Erste HD',
                servicereference: '1:0:19:283d:3fb:1:c00000:0:0:0:',
                program: 10301,
              },
              { pos: 2, servicename: 'Hidden', servicereference: '1:512:19:1:1:1:C00000:0:0:0:', program: 1 },
              {
                pos: 0,
                servicename: 'Sub',
                servicereference: '1:7:1:0:0:0:0:0:0:0:FROM BOUQUET "x.tv" ORDER BY bouquet',
                program: 0,
              },
              {
                pos: '3',
                servicename: 'Web TV',
                servicereference: '4097:0:1:0:0:0:0:0:0:0:http%3a//h/x.m3u8:Web TV',
                program: '0',
                lcn: '7',
              },
            ],
          })(req, res)
        : json({
            bouquets: [
              ['1:7:1:0:0:0:0:0:0:0:FROM BOUQUET "userbouquet.fav.tv" ORDER BY bouquet', 'Favourites'],
            ],
          })(req, res);
    const c = client();
    expect(await c.bouquets()).toEqual([
      { ref: '1:7:1:0:0:0:0:0:0:0:FROM BOUQUET "userbouquet.fav.tv" ORDER BY bouquet', name: 'Favourites' },
    ]);
    const listing = await c.services(
      '1:7:1:0:0:0:0:0:0:0:FROM BOUQUET "userbouquet.fav.tv" ORDER BY bouquet',
    );
    expect(listing.services.map((s) => [s.name, s.kind, s.ref, s.lcn])).toEqual([
      ['Das Erste HD', 'dvb', '1:0:19:283D:3FB:1:C00000:0:0:0:', undefined],
      ['Web TV', 'iptv', '4097:0:1:0:0:0:0:0:0:0:http%3a//h/x.m3u8:Web TV', 7],
    ]);
    expect(listing.skipped).toMatchObject({ markers: 1, hidden: 1, directories: 1 });
  });

  it('retries 5xx with backoff and succeeds', async () => {
    let calls = 0;
    handler = (req, res) =>
      ++calls < 3
        ? json({ result: false, exception: 'Traceback' }, 500)(req, res)
        : json({ bouquets: [] })(req, res);
    expect(await client().bouquets()).toEqual([]);
    expect(calls).toBe(3);
  });

  it('gives up after the retries with a stable code and the status', async () => {
    handler = json({ result: false, exception: 'Traceback (most recent call last)' }, 503);
    await expect(client().bouquets()).rejects.toMatchObject({
      code: 'RECEIVER_HTTP_ERROR',
      details: { endpoint: 'bouquets', status: 503 },
    });
    expect(hits).toHaveLength(3);
  });

  it('does not retry malformed JSON and quotes the body', async () => {
    handler = json('{"bouquets": [["1:7:1:0:0:0:0:0:0:0:FROM BOUQUET');
    await expect(client().bouquets()).rejects.toMatchObject({
      code: 'RECEIVER_BAD_RESPONSE',
      details: { snippet: '{"bouquets": [["1:7:1:0:0:0:0:0:0:0:FROM BOUQUET' },
    });
    expect(hits).toHaveLength(1);
  });

  it('reports result:false as an API error', async () => {
    handler = json({ result: false, message: "Missing mandatory parameter 'sRef'" });
    await expect(client().epgService('', 0, 60)).rejects.toMatchObject({
      code: 'RECEIVER_API_ERROR',
      message: expect.stringContaining("Missing mandatory parameter 'sRef'"),
    });
  });

  it('times out a hanging request per attempt and retries it', async () => {
    handler = () => undefined; // never answers
    await expect(client({ timeoutMs: 100, retries: 1 }).about()).rejects.toMatchObject({
      code: 'RECEIVER_TIMEOUT',
    });
    expect(hits).toHaveLength(2);
  });

  it('repairs Latin-1 bodies and HTML-escaped EPG text', async () => {
    const body = JSON.stringify({
      events: [
        {
          id: 1,
          begin_timestamp: 1763751600,
          duration_sec: 900,
          title: 'Grüße aus Köln',
          shortdesc: '',
          longdesc: 'Nachrichten &amp; Wetter',
          genre: 'News',
          genreid: 32,
        },
        { id: 0, begin_timestamp: 0, title: 0 },
      ],
      result: true,
    });
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(Buffer.from(body, 'latin1'));
    };
    const events = await client().epgService(
      '1:0:19:283D:3FB:1:C00000:0:0:0:',
      1763751600,
      1763751600 + 7 * 86400,
    );
    expect(events).toEqual([
      expect.objectContaining({
        id: 1,
        title: 'Grüße aus Köln',
        longDescription: 'Nachrichten & Wetter',
        durationSec: 900,
      }),
    ]);
    expect(hits[0]).toContain('endTime=10080');
  });

  it('sends Basic auth from the URL and reports rejected credentials', async () => {
    let seen = '';
    handler = (req, res) => {
      seen = req.headers.authorization ?? '';
      json({ message: 'auth' }, 401)(req, res);
    };
    const url = new URL(baseUrl);
    url.username = 'root';
    url.password = 'sec ret';
    await expect(client({ baseUrl: url.toString() }).about()).rejects.toMatchObject({
      code: 'RECEIVER_AUTH_FAILED',
    });
    expect(seen).toBe(`Basic ${Buffer.from('root:sec ret').toString('base64')}`);
    expect(hits).toHaveLength(1);
  });

  it('opens the breaker after consecutive failed calls and fails fast', async () => {
    handler = json({}, 500);
    const states: string[] = [];
    const c = client({
      retries: 0,
      breakerThreshold: 3,
      breakerHalfOpenAfterMs: 60_000,
      observer: { onBreakerStateChange: (s) => states.push(s) },
    });
    for (let i = 0; i < 3; i++)
      await expect(c.about()).rejects.toMatchObject({ code: 'RECEIVER_HTTP_ERROR' });
    await expect(c.about()).rejects.toMatchObject({ code: 'RECEIVER_CIRCUIT_OPEN' });
    expect(hits).toHaveLength(3);
    expect(c.breakerState).toBe('open');
    expect(states).toEqual(['open']);
  });

  it('treats connection refused as unreachable', async () => {
    await expect(client({ baseUrl: 'http://127.0.0.1:1', retries: 0 }).about()).rejects.toMatchObject({
      code: 'RECEIVER_UNREACHABLE',
    });
  });

  it('bounds response sizes', async () => {
    handler = json({ bouquets: [['x'.repeat(5000), 'y']] });
    await expect(client({ maxBodyBytes: 1000 }).bouquets()).rejects.toMatchObject({
      code: 'RECEIVER_RESPONSE_TOO_LARGE',
    });
  });

  it('lists one movie directory with its subdirectories in any shape images send', async () => {
    const movie = {
      filename: '/media/hdd/movie/a.ts',
      eventname: 'Tatort',
      recordingtime: '1790000000',
      filesize: 5,
      length: '?:??',
    };
    for (const [bookmarks, expected] of [
      [
        ['Serien', 'Filme'],
        ['Serien', 'Filme'],
      ],
      [[{ name: 'Serien' }, { other: 1 }, 7], ['Serien']],
      [{ dirname: 'Serien' }, ['Serien']],
      ['', []],
      [undefined, []],
    ] as const) {
      handler = json({ movies: [movie], bookmarks, directory: '/media/hdd/movie/' });
      const listing = await client().movies('/media/hdd/movie/');
      expect(listing.subdirectories).toEqual(expected);
      expect(listing.movies).toEqual([
        expect.objectContaining({
          filename: movie.filename,
          title: 'Tatort',
          recordedAt: 1_790_000_000,
          length: '?:??',
        }),
      ]);
    }
    expect(hits.at(-1)).toBe('/api/movielist?dirname=%2Fmedia%2Fhdd%2Fmovie%2F');
  });

  it('reads the recording locations, and none from an image without the call', async () => {
    handler = json({ locations: ['/media/hdd/movie/', '/media/usb/movie/'], default: '/media/hdd/movie/' });
    expect(await client().movieLocations()).toEqual(['/media/hdd/movie/', '/media/usb/movie/']);
    handler = (_req, res) => {
      res.writeHead(404);
      res.end();
    };
    expect(await client().movieLocations()).toEqual([]);
  });

  it('returns null for a missing picon and bytes for a PNG', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    handler = (req, res) => {
      if (req.url === '/picon/1_0_19_283D_3FB_1_C00000_0_0_0.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png);
      } else {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html>not found</html>');
      }
    };
    const c = client();
    expect(Buffer.from((await c.picon('1_0_19_283D_3FB_1_C00000_0_0_0'))!)).toEqual(png);
    expect(await c.picon('das erste hd')).toBeNull();
    expect(hits[1]).toBe('/picon/das%20erste%20hd.png');
  });
});

describe('cancellation', () => {
  it('aborts the attempt in flight, does not retry, and leaves the breaker alone', async () => {
    handler = () => undefined; // hangs
    const c = client({ timeoutMs: 60_000, retries: 5, breakerThreshold: 1 });
    const controller = new AbortController();
    const call = c.about({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('watchdog')), 50);
    await expect(call).rejects.toThrow('watchdog');
    expect(hits).toHaveLength(1);
    expect(c.breakerState).toBe('closed');
  });
});
