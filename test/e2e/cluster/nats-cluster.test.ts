import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket, CatalogMetaKey, JobStream, Subject } from '@e2gate/contracts';
import { isNatsUnavailable } from '@e2gate/nats';
import { nextRefreshOutcome, startCatalog, type CatalogUnderTest } from '../../support/catalog-harness.js';
import { startNatsCluster, type RunningNatsCluster } from '../../support/nats-cluster.js';
import { connectAs } from '../../support/nats-server.js';
import { startTranscoder, type TranscoderUnderTest } from '../../support/transcoder-harness.js';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import {
  ADMIN_TOKEN,
  bearer,
  startGateway,
  type GatewayUnderTest,
} from '../gateway/support/gateway-harness.js';
import { call } from '../gateway/support/http.js';
import { JobsClient, type JobView } from '../jobs/support/jobs-client.js';
import { until, watch, type Watcher } from '../live/support/live-stack.js';

// docs/deploy/nats-cluster.md on loopback: three nats-servers as one JetStream cluster, every bucket and stream
// with three replicas, catalog, gateway and transcoder connected to all three. One NATS node is killed while a
// viewer watches and a job runs: nothing stored is lost and the service goes on.

const REPLICAS = { E2GATE_NATS_REPLICAS: '3' };

let cluster: RunningNatsCluster;
let sim: ReceiverSim;
let gateway: GatewayUnderTest;
let catalog: CatalogUnderTest;
let transcoder: TranscoderUnderTest;
let admin: NatsConnection;
const watchers: Watcher[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  sim = await startReceiverSim({ bouquets: 1, channels: 6, epgDays: 1 });
  gateway = await startGateway({ natsUrl: cluster.url, env: REPLICAS });
  catalog = await startCatalog({
    natsUrl: cluster.url,
    receiverUrl: sim.url,
    env: { ...REPLICAS, E2GATE_EPG_DAYS: '1' },
  });
  const outcome = await catalog.startup;
  if (!outcome.ok) throw new Error(`catalog refresh failed: ${outcome.event.code}`);
  await gateway.follower.whenServing(outcome.event.version, 60_000);
  transcoder = await startTranscoder({ natsUrl: cluster.url, receiverUrl: sim.url, env: REPLICAS });
  admin = await connectAs(cluster.url, 'admin', { maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}, 180_000);

afterAll(async () => {
  if (process.env['DEBUG_CLUSTER'])
    console.log(gateway.logs.lines.filter((l) => /"level":(40|50)/.test(l)).join('\n'));
  for (const watcher of watchers) watcher.close();
  await admin?.close();
  await transcoder?.close();
  await gateway?.close();
  await catalog?.close();
  await sim?.close();
  await cluster?.stop();
});

function channelIds(): string[] {
  return gateway.follower.current!.snapshot.channels.map((channel) => channel.id);
}

/**
 * The job's record once it reaches `state`. While the cluster elects new leaders a read may answer 503 with
 * Retry-After (never 500): such answers count as "not yet".
 */
async function jobDuringFailover(jobs: JobsClient, jobId: string, state: string): Promise<JobView> {
  let last: JobView | null = null;
  await until(
    `job ${jobId} ${state}`,
    async () => {
      const reply = await jobs.request('GET', `/api/v1/jobs/${jobId}`);
      if (reply.status === 503) {
        expect(reply.headers.get('retry-after')).toBe('2');
        return false;
      }
      expect(reply.status, reply.text).toBe(200);
      last = reply.json<JobView>();
      return last.state === state;
    },
    60_000,
  );
  return last!;
}

/** `read`, tried again while it fails because the cluster is electing leaders (up to 30 s). */
async function duringFailover<T>(read: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!isNatsUnavailable(error) || Date.now() > deadline) throw error;
      await delay(200);
    }
  }
}

/** A job submitted as a client does: a `503` with Retry-After while leaders move is submitted again (never 500). */
async function createDuringFailover(jobs: JobsClient, body: Record<string, unknown>): Promise<JobView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reply = await jobs.submit(body);
    if (reply.status !== 503 || Date.now() > deadline) {
      expect(reply.status, reply.text).toBe(201);
      return reply.json<JobView>();
    }
    expect(reply.headers.get('retry-after')).not.toBeNull();
    await delay(500);
  }
}

/** A new viewer, as a player opens one: a `503 UNAVAILABLE` while leaders move is tried again (never 500). */
async function openDuringFailover(url: string): Promise<Watcher> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const viewer = await watch(url, bearer(ADMIN_TOKEN));
    watchers.push(viewer);
    if (viewer.status !== 503 || Date.now() > deadline) {
      expect(viewer.status).toBe(200);
      return viewer;
    }
    viewer.close();
    await delay(500);
  }
}

/**
 * Asks for a refresh and waits for its outcome; a refresh that failed because it ran into the leader election is
 * asked for again (the catalog's schedule would do the same) for up to 90 s. The first goes through the API; the
 * retries go to the catalog over NATS, past the API's refresh throttle (3 per 10 minutes).
 */
async function refreshStored(): Promise<boolean> {
  const deadline = Date.now() + 90_000;
  const first = nextRefreshOutcome(admin, 60_000);
  const refresh = await call(`${gateway.url}/api/v1/catalog/refresh`, {
    method: 'POST',
    headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
    body: '{}',
  });
  expect(refresh.status, refresh.text).toBe(202);
  if ((await first).ok) return true;
  while (Date.now() < deadline) {
    await delay(2000);
    const outcome = nextRefreshOutcome(admin, 60_000);
    await duringFailover(() => admin.request(Subject.CatalogCmdRefresh, '{}', { timeout: 5000 }));
    if ((await outcome).ok) return true;
  }
  return false;
}

describe('a three-node NATS cluster', () => {
  it('keeps three replicas of every bucket and stream the services created', async () => {
    const jsm = await jetstreamManager(admin);
    const streams = await jsm.streams.list().next();
    const names = streams.map((stream) => stream.config.name);
    for (const expected of [
      `KV_${Bucket.CatalogMeta}`,
      `OBJ_${Bucket.Catalog}`,
      `KV_${Bucket.Sessions}`,
      JobStream.Jobs,
    ]) {
      expect(names).toContain(expected);
    }
    for (const stream of streams) {
      expect(stream.config.num_replicas, stream.config.name).toBe(3);
      expect(stream.cluster?.replicas?.length, stream.config.name).toBe(2);
    }
  });

  it('loses nothing and keeps serving when the node leading the job queue dies mid-stream and mid-job', async () => {
    const [first, second] = channelIds() as [string, string];
    const viewer = await watch(`${gateway.url}/stream/${first}?profile=copy`, bearer(ADMIN_TOKEN));
    watchers.push(viewer);
    expect(viewer.status).toBe(200);
    await until('the viewer gets bytes', async () => viewer.received() > 200_000, 20_000);

    const jobs = new JobsClient(gateway.url, ADMIN_TOKEN);
    const job = await jobs.create({ kind: 'noop', durationMs: 4_000 });
    await jobs.waitForState(job.id, 'running', 20_000);

    const jsm = await jetstreamManager(admin);
    const leader = (await jsm.streams.info(JobStream.Jobs)).cluster?.leader;
    const victim = cluster.nodes.find((node) => node.name === leader)!;
    expect(victim, `JOBS leader ${leader}`).toBeDefined();
    const before = viewer.received();
    await victim.kill();

    // The viewer's stream goes on (the transcoder and gateway reconnect to a surviving node)…
    await until(
      'the viewer gets 1 MB more after the kill',
      async () => viewer.received() > before + 1_000_000,
      30_000,
    );
    // …the job that was running finishes, and its record says so…
    // (A worker that cannot renew its claim while the queue's leader moves hands the attempt back: a second attempt
    // is allowed, a lost job is not.)
    const done = await jobDuringFailover(jobs, job.id, 'succeeded');
    expect(done.attempt).toBeLessThanOrEqual(2);
    // …what the catalog stored is still there, and the gateway still serves it…
    const metaBucket = await new Kvm(admin).open(Bucket.CatalogMeta);
    const meta = await duringFailover(() => metaBucket.get(CatalogMetaKey.Current));
    expect(meta?.json<{ version: string }>().version).toBe(gateway.follower.current!.version);
    const playlist = await call(`${gateway.url}/playlist.m3u`, { headers: bearer(ADMIN_TOKEN) });
    expect(playlist.status).toBe(200);
    expect(playlist.text).toContain(`/stream/${first}`);
    // …a new session opens, a new job runs, and a refresh stores a new snapshot with two of three nodes.
    const another = await openDuringFailover(`${gateway.url}/stream/${second}?profile=copy`);
    await until('the new viewer gets bytes', async () => another.received() > 100_000, 20_000);
    const next = await createDuringFailover(jobs, { kind: 'noop', durationMs: 10 });
    await jobDuringFailover(jobs, next.id, 'succeeded');
    expect(await refreshStored()).toBe(true);

    // The node comes back and catches up: every stream has its three replicas current again.
    await victim.restart();
    await until(
      'every replica current',
      async () => {
        const streams = await duringFailover(async () => {
          const all = [];
          for await (const stream of (await jetstreamManager(admin)).streams.list()) all.push(stream);
          return all;
        });
        return streams.every(
          (stream) =>
            stream.cluster?.replicas?.length === 2 &&
            stream.cluster.replicas.every((replica) => replica.current),
        );
      },
      60_000,
    );
    expect(cluster.violations()).toEqual([]);
  }, 240_000);
});
