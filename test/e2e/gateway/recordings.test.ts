import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subject } from '@e2gate/contracts';
import { nextRefreshOutcome } from '../../support/catalog-harness.js';
import { bearer, READ_TOKEN } from './support/gateway-harness.js';
import { call } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

/** `/api/v1/recordings`: the receiver's recordings of every location and subdirectory, as the catalog read them. */
interface RecordingItem {
  id: string;
  title: string;
  description: string;
  channelName: string;
  channelId?: string;
  recordedAt?: number;
  durationSeconds?: number;
  sizeBytes?: number;
}
interface RecordingPage {
  version: string;
  total: number;
  offset: number;
  limit: number;
  items: RecordingItem[];
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ sim: { bouquets: 2, channels: 12, epgDays: 1 } });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const get = (path: string) =>
  call(`${stack.gateway.url}/api/v1/recordings${path}`, { headers: bearer(READ_TOKEN) });

async function refresh(): Promise<void> {
  const outcome = nextRefreshOutcome(stack.catalog.nc, 60_000);
  await stack.catalog.request(Subject.CatalogCmdRefresh, {});
  const result = await outcome;
  expect(result.ok).toBe(true);
  if (result.ok) await stack.gateway.follower.whenServing(result.event.version, 30_000);
}

describe('/api/v1/recordings', () => {
  it("lists every recording of the receiver's locations and subdirectories, newest first", async () => {
    const reply = await get('');
    expect(reply.status).toBe(200);
    const page = reply.json<RecordingPage>();
    expect(page.version).toBe(stack.version);
    expect(page).toMatchObject({ total: 5, offset: 0, limit: 100 });
    const titles = page.items.map((item) => item.title);
    // The simulator's fifth recording lies in the `Serien` subdirectory (a bookmark of the movie directory).
    expect(titles).toContain('Der Bergdoktor');
    const times = page.items.map((item) => item.recordedAt ?? 0);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const item of page.items) {
      expect(item.id).toMatch(/^[0-9a-f]{16}$/);
      expect(item.channelId, item.channelName).toBeDefined();
      expect(item.sizeBytes).toBeGreaterThan(1_000_000_000);
      expect(Object.keys(item)).not.toContain('file');
      expect(Object.keys(item)).not.toContain('ref');
    }
    // Numbers sent as strings by some images are read; a length of "?:??" leaves the duration out.
    const stringly = page.items.find((item) => item.title === 'Die Sendung mit der Maus');
    expect(stringly).toMatchObject({ recordedAt: expect.any(Number), durationSeconds: 80 * 60 });
    const unmeasured = page.items.find((item) => item.title.startsWith('Ski alpin'));
    expect(unmeasured).toBeDefined();
    expect(unmeasured?.durationSeconds).toBeUndefined();
  });

  it('filters by channel, pages, and answers one recording by id', async () => {
    const all = (await get('')).json<RecordingPage>();
    const first = all.items[0]!;
    const ofChannel = (await get(`?channel=${first.channelId}`)).json<RecordingPage>();
    expect(ofChannel.items.length).toBeGreaterThan(0);
    expect(ofChannel.items.every((item) => item.channelId === first.channelId)).toBe(true);
    const second = (await get('?offset=1&limit=2')).json<RecordingPage>();
    expect(second.items.map((item) => item.id)).toEqual(all.items.slice(1, 3).map((item) => item.id));
    const one = await get(`/${first.id}`);
    expect(one.status).toBe(200);
    expect(one.json<{ recording: RecordingItem }>().recording).toEqual(first);
    expect((await get('/0123456789abcdef')).status).toBe(404);
    for (const bad of ['/not-an-id', '?limit=0', '?limit=501', '?channel=NOPE', '?offset=-1']) {
      const reply = await get(bad);
      expect(reply.status, bad).toBe(400);
      expect(reply.json<{ code: string }>().code, bad).toBe('VALIDATION_FAILED');
    }
  });

  it('keeps the last list when the receiver cannot list its recordings, and says so', async () => {
    const before = (await get('')).json<RecordingPage>();
    await stack.sim.setFaults({ malformedJson: ['movielist'] });
    try {
      await refresh();
      await stack.gateway.follower.whenMeta(
        (meta) => (meta?.partialFailures ?? []).some((failure) => failure.scope === 'recordings'),
        30_000,
      );
      const after = (await get('')).json<RecordingPage>();
      expect(after.items).toEqual(before.items);
    } finally {
      await stack.sim.resetFaults();
    }
  });
});
