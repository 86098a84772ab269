import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiverSim, type ReceiverSim } from './sim.js';
import { apiUrl, getJson, httpGet } from './spec-support.js';

let sim: ReceiverSim;
const url = (path: string, params: Record<string, string | number> = {}): string =>
  apiUrl(sim.url, path, params);
const basic = (user: string, password: string): Record<string, string> => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

beforeAll(async () => {
  sim = await startReceiverSim({ seed: 11 });
});
afterEach(async () => {
  await sim.resetFaults();
  sim.resetStats();
});
afterAll(() => sim.close());

describe('fault injection on the web port', () => {
  it('answers injected errors with 500 and the box exception body, at about the configured rate', async () => {
    await sim.setFaults({ errorRate: 1 });
    const res = await httpGet(url('/api/bouquets'));
    expect(res.status).toBe(500);
    const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
    expect(body).toMatchObject({ result: false, request: '/api/bouquets' });
    expect(String(body['exception'])).toContain('Traceback');

    await sim.setFaults({ errorRate: 0.3 });
    sim.resetStats();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, () => httpGet(url('/api/statusinfo')).then((r) => r.status)),
    );
    const errors = statuses.filter((status) => status === 500).length;
    expect(errors).toBeGreaterThan(30);
    expect(errors).toBeLessThan(90);
    expect(sim.stats().endpoints['/api/statusinfo']).toEqual({ error: errors, ok: 200 - errors });
  });

  it('hangs requests without answering and drops them after hangMs', async () => {
    await sim.setFaults({ timeoutRate: 1, hangMs: 200 });
    await expect(httpGet(url('/api/about'))).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sim.stats().endpoints['/api/about']).toEqual({ timeout: 1 });
  });

  it('ends hanging requests when the simulator closes', async () => {
    const other = await startReceiverSim({ faults: { timeoutRate: 1, hangMs: 600_000 } });
    const pending = httpGet(apiUrl(other.url, '/api/about'));
    await waitFor(() => other.stats().endpoints['/api/about']?.timeout === 1);
    await other.close();
    await expect(pending).rejects.toThrow();
  });

  it('refuses connections while offline; the control port stays up and brings it back', async () => {
    await sim.setFaults({ offline: true });
    await expect(httpGet(url('/api/about'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const stats = await getJson<{ total: number }>(apiUrl(sim.controlUrl, '/_sim/stats'));
    expect(typeof stats.total).toBe('number');
    const res = await httpGet(
      apiUrl(sim.controlUrl, '/_sim/faults'),
      { 'Content-Type': 'application/json' },
      'POST',
      '{"offline":false}',
    );
    expect(res.status).toBe(200);
    expect((await httpGet(url('/api/about'))).status).toBe(200);
  });

  it('fails getservices of the failing bouquet only, by name substring or ref', async () => {
    const [favourites, austria, sport] = sim.dataset.bouquets;
    await sim.setFaults({ failingBouquets: ['sport'] });
    const failed = await httpGet(url('/api/getservices', { sRef: sport!.ref }));
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body.toString())).toMatchObject({ result: false, request: '/api/getservices' });
    expect((await httpGet(url('/api/getservices', { sRef: favourites!.ref }))).status).toBe(200);
    await sim.setFaults({ failingBouquets: [austria!.ref] });
    expect((await httpGet(url('/api/getservices', { sRef: austria!.ref }))).status).toBe(500);
    expect(sim.stats().endpoints['/api/getservices']).toMatchObject({ failed: 2, ok: 1 });
  });

  it('lists invisible (flag 512) entries without hidden=1 when hiddenEntries is on', async () => {
    const hiddenRefs = sim.dataset.bouquets
      .flatMap((bouquet) => bouquet.entries)
      .filter((entry) => entry.kind === 'hidden')
      .map((entry) => entry.ref);
    expect(hiddenRefs.length).toBeGreaterThan(0);
    const listed = async (): Promise<string[]> => {
      const rows: string[] = [];
      for (const bouquet of sim.dataset.bouquets.filter((b) => b.kind === 'tv')) {
        const reply = await getJson<{ services: { servicereference: string }[] }>(
          url('/api/getservices', { sRef: bouquet.ref }),
        );
        rows.push(...reply.services.map((row) => row.servicereference));
      }
      return rows;
    };
    const allServices = async (): Promise<string[]> => {
      const reply = await getJson<{ services: { subservices: { servicereference: string }[] }[] }>(
        url('/api/getallservices'),
      );
      return reply.services.flatMap((bouquet) => bouquet.subservices.map((row) => row.servicereference));
    };
    expect((await listed()).filter((ref) => hiddenRefs.includes(ref))).toEqual([]);
    expect((await allServices()).filter((ref) => hiddenRefs.includes(ref))).toEqual([]);

    await sim.setFaults({ hiddenEntries: true });
    expect(new Set((await listed()).filter((ref) => hiddenRefs.includes(ref)))).toEqual(new Set(hiddenRefs));
    expect(new Set((await allServices()).filter((ref) => hiddenRefs.includes(ref)))).toEqual(
      new Set(hiddenRefs),
    );
    expect((await listed()).some((ref) => Number(ref.split(':')[1]) & 512)).toBe(true);
  });

  it('fails the EPG of the failing service only, by exact name or by ref in any spelling', async () => {
    const [first, second] = sim.dataset.channels.filter((channel) => channel.counted && channel.hasEpg);
    const epg = (ref: string) => httpGet(url('/api/epgservice', { sRef: ref, time: -1, endTime: 600 }));
    const webEpg = (ref: string) => httpGet(url('/web/epgservice', { sRef: ref }));
    await sim.setFaults({ failingEpg: [first!.name.toUpperCase()] });
    const failed = await epg(first!.ref);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body.toString())).toMatchObject({ result: false, request: '/api/epgservice' });
    expect((await webEpg(first!.ref)).status).toBe(500);
    expect((await epg(second!.ref)).status).toBe(200);
    expect((await httpGet(url('/api/getservices'))).status).toBe(200);

    await sim.setFaults({ failingEpg: [second!.ref.toLowerCase().replaceAll(':', '%3a')] });
    expect((await epg(second!.ref)).status).toBe(500);
    expect((await epg(first!.ref)).status).toBe(200);
    expect(sim.stats().endpoints['/api/epgservice']).toMatchObject({ failed: 2, ok: 2 });
  });

  it('truncates the JSON of the named endpoints only', async () => {
    await sim.setFaults({ malformedJson: ['bouquets'] });
    const broken = await httpGet(url('/api/bouquets'));
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.body.toString()) as unknown).toThrow(SyntaxError);
    await getJson(url('/api/getservices'));
    expect(sim.stats().endpoints['/api/bouquets']).toEqual({ malformed: 1 });
  });

  it('sends raw Latin-1 bytes while the header still says utf-8', async () => {
    await sim.setFaults({ latin1: true });
    const res = await httpGet(url('/api/bouquets'));
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.includes(Buffer.from([0xd6, 0x73]))).toBe(true); // "Ös" as Latin-1
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(res.body)).toThrow();
    const decoded = JSON.parse(res.body.toString('latin1')) as { bouquets: [string, string][] };
    expect(decoded.bouquets.map(([, name]) => name)).toContain('Österreich');
    const xml = await httpGet(url('/web/getservices'));
    expect(xml.body.toString('latin1')).toContain('<?xml version="1.0" encoding="UTF-8"?>');
    expect(xml.body.includes(Buffer.from([0xd6]))).toBe(true);
  });

  it('requires HTTP Basic auth when configured; the control endpoint does not', async () => {
    await sim.setFaults({ auth: { user: 'root', password: 'dreambox' } });
    const denied = await httpGet(url('/api/about'));
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="OpenWebif"');
    expect((await httpGet(url('/api/about'), basic('root', 'wrong'))).status).toBe(401);
    expect((await httpGet(url('/api/about'), basic('root', 'dreambox'))).status).toBe(200);
    expect((await httpGet(url('/_sim/faults'))).status).toBe(200);
    const m3u = await httpGet(
      url('/web/stream.m3u', { ref: sim.dataset.channels[0]!.ref }),
      basic('root', 'dreambox'),
    );
    expect(m3u.body.toString()).toContain(`http://root:dreambox@127.0.0.1:${new URL(sim.streamUrl).port}/`);
  });

  it('validates fault patches on the control endpoint with a stable code', async () => {
    const res = await httpGet(
      url('/_sim/faults'),
      { 'Content-Type': 'application/json' },
      'POST',
      '{"errorRate": 5}',
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'SIM_INVALID_FAULTS' });
    const bad = await httpGet(url('/_sim/faults'), {}, 'POST', 'not json');
    expect(JSON.parse(bad.body.toString())).toMatchObject({ code: 'SIM_BAD_JSON' });
    await expect(sim.setFaults({ latencyMs: [5, 1] })).rejects.toMatchObject({ code: 'SIM_INVALID_FAULTS' });
    const summary = await getJson<{ channels: number; bouquets: unknown[] }>(url('/_sim/dataset'));
    expect(summary.channels).toBe(30);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
