import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, STREAM_TOKEN } from '../gateway/support/gateway-harness.js';
import { call, metric } from '../gateway/support/http.js';
import { startLiveStack, until, watch, type LiveStack, type Watcher } from './support/live-stack.js';

// Shared sessions across two gateway replicas and two transcoder nodes, the idle close, tuner admission and hostile
// requests, with the receiver simulator counting its stream connections.

const IDLE_MS = 2_000;
let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({
    gateways: 2,
    transcoders: 2,
    transcoderEnv: { E2GATE_TUNERS: '2', E2GATE_SESSION_IDLE: `${IDLE_MS}ms` },
  });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const streamUrl = (gatewayUrl: string, name: string, profile = 'aac') =>
  `${gatewayUrl}/stream/${stack.channelId(name)}?profile=${profile}&token=${STREAM_TOKEN}`;
const receiverStreams = () => stack.sim.stats().streams;
const sessions = async () =>
  (await call(`${stack.gateway.url}/api/v1/sessions`, { headers: bearer(ADMIN_TOKEN) })).json<{
    sessions: { id: string; channelName: string; viewers: number; node: string; profile: string }[];
    tunersInUse: number;
  }>();
const noReceiverStreams = () =>
  until('receiver streams closed', () => receiverStreams().active === 0, 20_000);

/** Channels on three different transponders, and a second one on the first transponder. */
function transponderChannels() {
  const byTransponder = new Map<string, string[]>();
  for (const channel of stack.sim.dataset.channels) {
    if (channel.encrypted || channel.fixture === 'sim_radio_mp2') continue;
    if (!stack.gateway.follower.current!.snapshot.channels.some((c) => c.name === channel.name)) continue;
    byTransponder.set(channel.transponder, [...(byTransponder.get(channel.transponder) ?? []), channel.name]);
  }
  const shared = [...byTransponder.values()].find((names) => names.length >= 2)!;
  const others = [...byTransponder.values()].filter((names) => names !== shared).map((names) => names[0]!);
  return { a: shared[0]!, a2: shared[1]!, b: others[0]!, c: others[1]! };
}

describe('one shared session', () => {
  it('serves 20 viewers on two gateway replicas from one receiver connection, closed within idle + 2 s after the last leaves', async () => {
    await noReceiverStreams();
    const before = receiverStreams().started;
    const { a } = transponderChannels();
    const gateways = [stack.gateway.url, stack.replicas[0]!.url];
    const viewers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => watch(streamUrl(gateways[index % 2]!, a), {}, false)),
    );
    try {
      expect(viewers.map((viewer) => viewer.status)).toEqual(viewers.map(() => 200));
      await until('every viewer receives bytes', () =>
        viewers.every((viewer) => viewer.received() > 100_000),
      );
      expect(receiverStreams().started - before).toBe(1);
      expect(receiverStreams().active).toBe(1);
      await until(
        'the session record counts every viewer',
        async () => (await sessions()).sessions[0]?.viewers === 20,
        10_000,
      );
      expect((await sessions()).sessions).toHaveLength(1);
    } finally {
      for (const viewer of viewers) viewer.close();
    }
    const closedAfter = await until(
      'the receiver connection is closed',
      () => receiverStreams().active === 0,
      IDLE_MS + 10_000,
    );
    expect(closedAfter).toBeLessThanOrEqual(IDLE_MS + 2_000);
    await until('the session is gone', async () => (await sessions()).sessions.length === 0, 5_000);
  });
});

describe('several transcoder nodes', () => {
  it('spread new sessions over both nodes and list them at /api/v1/nodes', async () => {
    await noReceiverStreams();
    const { a, a2 } = transponderChannels();
    const opened: Watcher[] = [];
    for (const [name, profile] of [
      [a, 'aac'],
      [a2, 'aac'],
      [a, 'copy'],
      [a2, 'copy'],
    ] as const) {
      opened.push(await watch(streamUrl(stack.gateway.url, name, profile), {}, false));
      await new Promise((done) => setTimeout(done, 700)); // one node heartbeat (500 ms in tests)
    }
    try {
      expect(opened.map((viewer) => viewer.status)).toEqual([200, 200, 200, 200]);
      const nodesOfSessions = new Set((await sessions()).sessions.map((session) => session.node));
      expect(nodesOfSessions).toEqual(new Set(stack.transcoders.map((transcoder) => transcoder.nodeId)));
      const nodes = (await call(`${stack.gateway.url}/api/v1/nodes`, { headers: bearer(ADMIN_TOKEN) })).json<{
        nodes: { id: string; capacity: number; encoders: string[]; engine: { version: string } }[];
      }>().nodes;
      expect(nodes.map((node) => node.id).sort()).toEqual(stack.transcoders.map((t) => t.nodeId).sort());
      expect(
        nodes.every((node) => node.capacity > 0 && node.encoders.includes('software') && node.engine.version),
      ).toBe(true);
    } finally {
      for (const viewer of opened) viewer.close();
    }
  });
});

/** The error bodies of the viewers that were refused (for a failure's message). */
async function refusal(...viewers: Watcher[]): Promise<string> {
  const refused = viewers.filter((viewer) => viewer.status !== 200);
  await Promise.all(refused.map((viewer) => viewer.ended));
  return refused.map((viewer) => `${viewer.status} ${viewer.bytes().toString('utf8', 0, 300)}`).join('; ');
}

describe('tuner admission with E2GATE_TUNERS=2', () => {
  it('opens two transponders, refuses a third with 503 TUNERS_BUSY and Retry-After, shares a tuner, lets the third in once one is free', async () => {
    await noReceiverStreams();
    await until('no session left', async () => (await sessions()).sessions.length === 0, 10_000);
    const { a, a2, b, c } = transponderChannels();
    const open: Watcher[] = [];
    const watchHere = async (name: string) => {
      const viewer = await watch(streamUrl(stack.gateway.url, name), {});
      open.push(viewer);
      return viewer;
    };
    try {
      const first = await watchHere(a);
      const second = await watchHere(b);
      expect([first.status, second.status], await refusal(first, second)).toEqual([200, 200]);

      const refused = await call(streamUrl(stack.gateway.url, c));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused.json()).toMatchObject({ code: 'TUNERS_BUSY', details: { tuners: 2, inUse: 2 } });

      const sameTransponder = await watchHere(a2);
      expect(sameTransponder.status).toBe(200);
      expect((await sessions()).tunersInUse).toBe(2);

      second.close();
      await until(
        'the third transponder gets the freed tuner',
        async () => (await watchHere(c)).status === 200,
        IDLE_MS + 10_000,
      );
      const metrics =
        (await call(`${stack.transcoders[0]!.url}/metrics`)).text +
        (await call(`${stack.transcoders[1]!.url}/metrics`)).text;
      expect(
        metric(metrics, 'e2gate_transcoder_admissions_refused_total', { reason: 'TUNERS_BUSY' }),
      ).toBeGreaterThan(0);
    } finally {
      for (const viewer of open) viewer.close();
    }
  });
});

describe('what players are handed', () => {
  it('plays the stream URLs of the HDHomeRun lineup and of the M3U playlist (signed, no token in them)', async () => {
    await noReceiverStreams();
    const lineup = (await call(`${stack.gateway.url}/lineup.json?token=${STREAM_TOKEN}`)).json<
      { GuideName: string; URL: string }[]
    >();
    const playlist = (await call(`${stack.gateway.url}/playlist.m3u?token=${STREAM_TOKEN}`)).text;
    const m3uUrl = playlist.split('\n').find((line) => line.startsWith('http'))!;
    for (const url of [lineup[0]!.URL, m3uUrl]) {
      expect(url).not.toContain(STREAM_TOKEN);
      const viewer = await watch(url, {}, false);
      try {
        expect(viewer.status).toBe(200);
        expect(viewer.headers['content-type']).toBe('video/mp2t');
        await until('the stream plays', () => viewer.received() > 100_000);
      } finally {
        viewer.close();
      }
    }
  });
});

// Last: the burst spends this address's rate limit.
describe('hostile requests', () => {
  it('answers unknown channels 404, malformed ids and profiles 400', async () => {
    const auth = { headers: bearer(STREAM_TOKEN) };
    expect((await call(`${stack.gateway.url}/stream/unknown-00000000`, auth)).json()).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await call(`${stack.gateway.url}/stream/NOT_AN_ID!`, auth)).status).toBe(400);
    const channel = stack.channelId(transponderChannels().a);
    const badProfile = await call(`${stack.gateway.url}/stream/${channel}?profile=h265`, auth);
    expect(badProfile.status).toBe(400);
    expect(badProfile.json().code).toBe('VALIDATION_FAILED');
  });

  it('throttles or refuses 1,000 opens in a burst with codes, and leaks no receiver stream', async () => {
    await noReceiverStreams();
    const { a } = transponderChannels();
    const statuses = new Map<number | string, number>();
    const open = async () => {
      const viewer = await watch(streamUrl(stack.gateway.url, a), {}, false).catch(
        (error: NodeJS.ErrnoException) => error.code ?? String(error),
      );
      const status = typeof viewer === 'string' ? viewer : viewer.status;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (typeof viewer === 'string') return;
      viewer.close();
    };
    for (let wave = 0; wave < 10; wave++) await Promise.all(Array.from({ length: 100 }, open));
    // 429 throttled, 503 full (CAPACITY), 504 TIMEOUT: an open that waited E2GATE_STREAM_OPEN_TIMEOUT for a
    // transcoder busy with the burst (seen on a loaded CI machine: 2 of ~540 admitted opens). Anything else fails.
    const coded = [200, 429, 503, 504];
    const unexpected = [...statuses.keys()].filter((status) => !coded.includes(status as number));
    expect(unexpected, JSON.stringify(Object.fromEntries(statuses))).toEqual([]);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    await noReceiverStreams();
    for (const transcoder of stack.transcoders) {
      expect((await call(`${transcoder.url}/healthz`)).status).toBe(200);
      expect(transcoder.upstreams()).toBe(0);
    }
    const text = (await call(`${stack.gateway.url}/metrics`)).text;
    expect(metric(text, 'e2gate_gateway_throttled_requests_total', { limiter: 'api' })).toBeGreaterThan(0);
  });
});
