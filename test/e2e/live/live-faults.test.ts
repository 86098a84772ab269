import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTranscoderProcess, type TranscoderProcess } from '../../support/app-process.js';
import { ADMIN_TOKEN, bearer, STREAM_TOKEN } from '../gateway/support/gateway-harness.js';
import { call } from '../gateway/support/http.js';
import { stallingClient, startLiveStack, until, watch, type LiveStack } from './support/live-stack.js';

// The receiver misbehaving (dropping, refusing, stalling its streams), a viewer that reads nothing, a transcoder
// killed mid-stream and NATS restarting: viewers keep what they can, sessions end cleanly, tuners are freed and no
// receiver connection outlives its session.

let stack: LiveStack;
const processes: TranscoderProcess[] = [];
/** Every viewer a test opens: closed after it even when it failed or timed out, so no stream outlives its test. */
const opened: { close(): void }[] = [];
const keep = async <T extends { close(): void }>(pending: Promise<T>): Promise<T> => {
  const viewer = await pending;
  opened.push(viewer);
  return viewer;
};

beforeAll(async () => {
  stack = await startLiveStack({
    transcoderEnv: {
      E2GATE_SESSION_IDLE: '2s',
      E2GATE_UPSTREAM_RETRY: '4s',
      E2GATE_UPSTREAM_STALL: '1500ms',
    },
    gatewayEnv: { E2GATE_VIEWER_BUFFER_MB: '1' },
  });
  // One stream first, so that no test's short stall time runs into a cold simulator, engine or JIT.
  const warm = await watch(url(hd()), {}, false);
  await until('the warm-up stream flows', () => warm.received() > 100_000);
  warm.close();
  await settled();
}, 180_000);
afterEach(async () => {
  for (const viewer of opened.splice(0)) viewer.close();
  await stack.sim.resetFaults();
});
afterAll(async () => {
  for (const process of processes) await process.stop();
  await stack?.close();
});

const url = (name: string) =>
  `${stack.gateway.url}/stream/${stack.channelId(name)}?profile=aac&token=${STREAM_TOKEN}`;
const hd = () => stack.service((c) => c.fixture === 't1_720p50_ac3_mp2' && !c.encrypted).name;
// Bounded: a request the gateway never answers fails the test with its own error, not with a time-out.
const listed = async () =>
  (
    await call(`${stack.gateway.url}/api/v1/sessions`, {
      headers: bearer(ADMIN_TOKEN),
      signal: AbortSignal.timeout(10_000),
    })
  ).json<{
    sessions: { id: string; upstreamReconnects: number; node: string; viewers: number }[];
    tunersInUse: number;
  }>();
const within = <T>(what: string, pending: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    pending,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref(),
    ),
  ]);
const settled = async () => {
  await until('no receiver stream', () => stack.sim.stats().streams.active === 0, 20_000);
  await until('no session', async () => (await listed()).sessions.length === 0, 20_000);
};

describe('the receiver drops a stream mid-way', () => {
  it('is reconnected while the viewer stays connected and keeps receiving', async () => {
    await settled();
    await stack.sim.setFaults({ streamDropAfterMs: 1_500 });
    const viewer = await keep(watch(url(hd()), {}, false));
    try {
      expect(viewer.status).toBe(200);
      await until(
        'the receiver dropped the stream',
        () => (stack.sim.stats().endpoints['stream']?.dropped ?? 0) > 0,
      );
      await stack.sim.resetFaults();
      const atDrop = viewer.received();
      await until(
        'bytes flow again after the reconnect',
        () => viewer.received() > atDrop + 2_000_000,
        15_000,
      );
      expect((await listed()).sessions[0]?.upstreamReconnects).toBeGreaterThanOrEqual(1);
      expect(stack.sim.stats().streams.active).toBe(1);
    } finally {
      viewer.close();
    }
  });
});

describe('the receiver refuses a stream', () => {
  it.each([
    [404, 'an HTTP error'],
    [400, 'its text error after the 200 (a failed tune)'],
  ])('with %d (%s): 502 RECEIVER_STREAM_REFUSED, tuner freed', async (status) => {
    await settled();
    await stack.sim.setFaults({ streamRefuse: status });
    const reply = await call(url(hd()));
    expect(reply.status).toBe(502);
    expect(reply.json().code).toBe('RECEIVER_STREAM_REFUSED');
    expect((await listed()).tunersInUse).toBe(0);
  });
});

describe('the receiver stalls a stream', () => {
  it('that never starts: 504 RECEIVER_TIMEOUT, nothing left behind', async () => {
    await settled();
    await stack.sim.setFaults({ streamStallAfterMs: 1 });
    const reply = await call(url(hd()));
    expect(reply.status).toBe(504);
    expect(reply.json().code).toBe('RECEIVER_TIMEOUT');
    await settled();
  });

  it('mid-way and for good: the session ends, the viewer is let go, the tuner freed', async () => {
    await settled();
    await stack.sim.setFaults({ streamStallAfterMs: 2_000 });
    const viewer = await keep(watch(url(hd()), {}, false));
    expect(viewer.status).toBe(200);
    // After the first stall the box sends nothing on any new connection either.
    await until('the first connection stalled', () => viewer.received() > 0);
    await stack.sim.setFaults({ streamStallAfterMs: 1 });
    await viewer.ended;
    expect(viewer.received()).toBeGreaterThan(100_000);
    await settled();
    expect((await listed()).tunersInUse).toBe(0);
  });
});

describe('a viewer that reads nothing', () => {
  it('is cut off while another viewer of the session keeps its byte rate', async () => {
    await settled();
    const name = hd();
    const steady = await keep(within('the first viewer answered', watch(url(name), {}, false), 20_000));
    const stalled = await keep(stallingClient(url(name)));
    try {
      const rate = async (ms: number) => {
        const from = steady.received();
        await new Promise((done) => setTimeout(done, ms));
        return (steady.received() - from) / (ms / 1000);
      };
      await until('both viewers counted', async () => (await listed()).sessions[0]?.viewers === 2, 10_000);
      const before = await rate(2_000);
      // Cut off: the gateway drops the viewer (a paused socket cannot see the close itself) and says so.
      await until(
        'the stalled viewer is cut off',
        async () => ((await listed()).sessions[0]?.viewers ?? 0) < 2,
        60_000,
      );
      expect((await listed()).sessions[0]?.viewers, 'the steady viewer was cut off too').toBe(1);
      const after = await rate(2_000);
      expect(after / before).toBeGreaterThan(0.7);
      expect(after / before).toBeLessThan(1.4);
    } finally {
      steady.close();
      stalled.close();
    }
  }, 150_000); // above the sum of its own waits, so a slow step fails with its own name
});

describe('a transcoder killed mid-stream', () => {
  it('lets the next open start on a surviving node at once, and leaves no receiver connection behind', async () => {
    await settled();
    for (const transcoder of stack.transcoders) await transcoder.close();
    stack.transcoders.length = 0;
    const env = { E2GATE_SESSION_IDLE: '2s' };
    for (let index = 0; index < 2; index++) {
      processes.push(
        await startTranscoderProcess({ natsUrl: stack.nats.url, receiverUrl: stack.sim.url, env }),
      );
    }
    await until('both nodes registered', async () => {
      const nodes = (await call(`${stack.gateway.url}/api/v1/nodes`, { headers: bearer(ADMIN_TOKEN) })).json<{
        nodes: unknown[];
      }>();
      return nodes.nodes.length === 2;
    });
    const name = hd();
    const first = await keep(watch(url(name), {}, false));
    expect(first.status).toBe(200);
    const owner = (await listed()).sessions[0]!.node;
    const victim = processes.find((process) => process.child.pid === Number(owner.split('-').at(-2)));
    expect(victim).toBeDefined();
    await victim!.stop('SIGKILL');

    const asked = Date.now();
    const next = await keep(watch(url(name), {}, false));
    const answeredMs = Date.now() - asked;
    try {
      expect(next.status).toBe(200);
      expect(answeredMs).toBeLessThan(2_000);
      await until('the new session streams', () => next.received() > 100_000);
      const survivors = (await listed()).sessions;
      expect(survivors).toHaveLength(1);
      expect(survivors[0]!.node).not.toBe(owner);
      // The killed node's receiver connection died with it: one connection, the new session's.
      expect(stack.sim.stats().streams.active).toBe(1);
    } finally {
      first.close();
      next.close();
    }
    await settled();
  });
});

describe('NATS restarting', () => {
  it('every service reconnects and new sessions work without a restart', async () => {
    await settled();
    await stack.nats.restart();
    await until(
      'a new session streams',
      async () => {
        const viewer = await watch(url(hd()), {}, false).catch(() => null);
        if (!viewer) return false;
        if (viewer.status !== 200) {
          viewer.close();
          return false;
        }
        try {
          await until('bytes', () => viewer.received() > 100_000, 10_000);
          return true;
        } finally {
          viewer.close();
        }
      },
      60_000,
    );
  });
});
