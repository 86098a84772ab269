import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseM3U } from '@iptv/playlist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidHdhrDeviceId } from '@e2gate/config';
import { parseFrame, Tag } from '../../../apps/gateway/src/hdhomerun/discovery-protocol.js';
import {
  bearer,
  READ_TOKEN,
  startGateway,
  STREAM_TOKEN,
  type GatewayUnderTest,
} from './support/gateway-harness.js';
import { hdhomerunDiscover, STANDARD_DISCOVERY_PORT } from './support/hdhomerun-tool.js';
import { call, metric } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sim: { bouquets: 3, channels: 20, epgDays: 1, tuners: 4 } });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const get = (path: string, token = STREAM_TOKEN) =>
  call(stack.gateway.url + path, { headers: bearer(token) });

describe('HDHomeRun HTTP API', () => {
  it('/discover.json: device fields, numeric TunerCount from the receiver, checksum-valid DeviceID', async () => {
    const doc = (await get('/discover.json', READ_TOKEN)).json();
    expect(doc).toMatchObject({
      FriendlyName: 'e2gate',
      Manufacturer: 'Silicondust',
      ModelNumber: 'HDTC-2US',
      FirmwareName: 'hdhomeruntc_atsc',
      TunerCount: 4,
      BaseURL: stack.gateway.url,
      LineupURL: `${stack.gateway.url}/lineup.json`,
    });
    expect(isValidHdhrDeviceId(doc['DeviceID'] as string)).toBe(true);
    expect(doc['DeviceAuth']).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('/lineup.json: TV channels with string GuideNumbers matching the playlist numbers, numeric HD, signed URLs', async () => {
    const lineup = (await get('/lineup.json')).json<
      { GuideNumber: string; GuideName: string; URL: string; HD: number }[]
    >();
    const playlist = parseM3U((await get('/playlist.m3u')).text).channels;
    const numbers = new Map(playlist.map((entry) => [entry.extras?.['tvg-chno'], entry.tvgName]));
    expect(lineup.length).toBeGreaterThan(10);
    for (const entry of lineup) {
      expect(typeof entry.GuideNumber).toBe('string');
      expect(numbers.get(entry.GuideNumber)).toBe(entry.GuideName.replace(/"/g, "'"));
      expect([0, 1]).toContain(entry.HD);
      expect(entry.URL).toMatch(/\/stream\/[a-z0-9-]+\?sig=/);
    }
    const stream = await call(lineup[0]!.URL);
    expect(stream.status).toBe(503);
    expect(stream.json().code).toBe('UNAVAILABLE');
    const readOnly = (await get('/lineup.json', READ_TOKEN)).json<{ URL: string }[]>();
    expect(readOnly[0]!.URL).not.toContain('sig=');
  });

  it('/lineup_status.json, /lineup.post and /device.xml', async () => {
    expect((await get('/lineup_status.json')).json()).toEqual({
      ScanInProgress: 0,
      ScanPossible: 1,
      Source: 'Cable',
      SourceList: ['Cable'],
    });
    for (const method of ['POST', 'GET']) {
      const scan = await call(`${stack.gateway.url}/lineup.post?scan=start&source=Cable`, {
        method,
        headers: bearer(READ_TOKEN),
      });
      expect(scan.status).toBe(200);
      expect(scan.text).toBe('');
    }
    const bad = await call(`${stack.gateway.url}/lineup.post?scan=reboot`, {
      method: 'POST',
      headers: bearer(READ_TOKEN),
    });
    expect(bad.status).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const xml = await get('/device.xml', READ_TOKEN);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const deviceId = (await get('/discover.json', READ_TOKEN)).json()['DeviceID'];
    expect(xml.text).toContain(`<UDN>uuid:${deviceId}-0000-0000-0000-000000000000</UDN>`);
    expect(execFileSync('xmllint', ['--noout', '-'], { input: xml.text, encoding: 'utf8' })).toBe('');
  });

  it('hands streaming callers a BaseURL with the device key, which then needs no header at all', async () => {
    const doc = (await get('/discover.json', STREAM_TOKEN)).json<{
      BaseURL: string;
      LineupURL: string;
      DeviceID: string;
    }>();
    expect(doc.BaseURL).toMatch(new RegExp(`^${stack.gateway.url}/hdhr/[A-Za-z0-9_-]{32}$`));
    const viaKey = await call(`${doc.BaseURL}/discover.json`);
    expect(viaKey.status).toBe(200);
    expect(viaKey.json()).toMatchObject({ DeviceID: doc.DeviceID, BaseURL: doc.BaseURL });
    const lineup = (await call(doc.LineupURL)).json<{ URL: string }[]>();
    expect(lineup[0]!.URL).toContain('sig=');
    expect((await call(lineup[0]!.URL)).json().code).toBe('UNAVAILABLE');
    for (const path of ['lineup_status.json', 'device.xml'])
      expect((await call(`${doc.BaseURL}/${path}`)).status).toBe(200);
    const forged = await call(`${stack.gateway.url}/hdhr/${'x'.repeat(32)}/discover.json`);
    expect(forged.status).toBe(401);
    const keyElsewhere = await call(`${stack.gateway.url}/api/v1/status?key=${doc.BaseURL.split('/').pop()}`);
    expect(keyElsewhere.status).toBe(401);
  });
});

describe('HDHomeRun identity', () => {
  it('generates the DeviceID once, keeps it (mode 0600) across restarts, and honours a configured tuner count', async () => {
    const first = await startGateway({ natsUrl: stack.nats.url, env: { E2GATE_HDHR_TUNER_COUNT: '2' } });
    let deviceId: unknown;
    try {
      const doc = (await call(`${first.url}/discover.json`, { headers: bearer(READ_TOKEN) })).json();
      deviceId = doc['DeviceID'];
      expect(doc['TunerCount']).toBe(2);
      expect(statSync(join(first.dataDir, 'gateway', 'hdhomerun-device')).mode & 0o777).toBe(0o600);
      await first.app.close();
      const second = await startGateway({ natsUrl: stack.nats.url, dataDir: first.dataDir });
      try {
        const again = (await call(`${second.url}/discover.json`, { headers: bearer(READ_TOKEN) })).json();
        expect(again['DeviceID']).toBe(deviceId);
      } finally {
        await second.close();
      }
    } finally {
      await first.close().catch(() => undefined);
    }
  });
});

describe('SSDP (optional)', () => {
  it('answers a unicast M-SEARCH with the device.xml location', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    probe.close();
    const gateway = await startGateway({
      natsUrl: stack.nats.url,
      env: { E2GATE_SSDP_ENABLED: 'true', E2GATE_SSDP_PORT: String(port) },
    });
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const answer = once(socket, 'message');
      const search =
        'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n' +
        'ST: urn:schemas-upnp-org:device:MediaServer:1\r\n\r\n';
      socket.send(Buffer.from(search), port, '127.0.0.1');
      const [packet] = (await answer) as [Buffer];
      const text = packet.toString();
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(text).toContain(`LOCATION: ${gateway.url}/device.xml\r\n`);
      const location = /LOCATION: (\S+)/.exec(text)![1]!;
      expect((await call(location, { headers: bearer(READ_TOKEN) })).status).toBe(200);
    } finally {
      socket.close();
      await gateway.close();
    }
  });
});

describe('HDHomeRun UDP discovery', () => {
  let gateway: GatewayUnderTest;
  let port: number;

  beforeAll(async () => {
    gateway = await startGateway({
      natsUrl: stack.nats.url,
      env: { E2GATE_HDHR_DISCOVERY_PORT: String(STANDARD_DISCOVERY_PORT) },
    });
    if (gateway.discoveryPort === null) {
      // 65001 is taken on this machine: use a free port and point the tool at it (see hdhomerun-tool.ts).
      await gateway.close();
      gateway = await startGateway({ natsUrl: stack.nats.url });
    }
    port = gateway.discoveryPort!;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('`hdhomerun_config discover 127.0.0.1` finds the device', async () => {
    const doc = (await call(`${gateway.url}/discover.json`, { headers: bearer(READ_TOKEN) })).json();
    const { output, via } = await hdhomerunDiscover('127.0.0.1', port);
    console.log(`hdhomerun_config discover 127.0.0.1 via ${via}: ${output.trim()}`);
    expect(output).toContain(`hdhomerun device ${doc['DeviceID']} found at 127.0.0.1`);
  });

  it("answers Jellyfin's wildcard request with type, id, tuners and URLs; ignores garbage", async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const metrics = async () => (await call(`${gateway.url}/metrics`)).text;
      const invalidBefore =
        metric(await metrics(), 'e2gate_gateway_hdhomerun_discovery_replies_total', { outcome: 'invalid' }) ??
        0;
      socket.send(Buffer.from('not a discovery packet'), port, '127.0.0.1');
      const reply = once(socket, 'message');
      socket.send(Buffer.from('0002000c0104ffffffff0204ffffffff73cc7d8f', 'hex'), port, '127.0.0.1');
      const [packet] = (await reply) as [Buffer];
      const parsed = parseFrame(packet);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const doc = (await call(`${gateway.url}/discover.json`, { headers: bearer(READ_TOKEN) })).json();
      const value = (tag: number) => parsed.frame.tags.get(tag)?.[0];
      expect(parsed.frame.type).toBe(3);
      expect(value(Tag.DeviceType)?.readUInt32BE(0)).toBe(1);
      expect(value(Tag.DeviceId)?.toString('hex').toUpperCase()).toBe(doc['DeviceID']);
      expect(value(Tag.TunerCount)?.[0]).toBe(doc['TunerCount']);
      expect(value(Tag.BaseUrl)?.toString()).toBe(gateway.url);
      expect(value(Tag.LineupUrl)?.toString()).toBe(`${gateway.url}/lineup.json`);
      const invalidAfter = metric(await metrics(), 'e2gate_gateway_hdhomerun_discovery_replies_total', {
        outcome: 'invalid',
      });
      expect(invalidAfter).toBe(invalidBefore + 1);
    } finally {
      socket.close();
    }
  });
});
