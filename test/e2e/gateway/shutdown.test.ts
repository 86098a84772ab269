import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subject } from '@e2gate/contracts';
import { startCatalog, type CatalogUnderTest } from '../../support/catalog-harness.js';
import { connectNats } from '../../support/nats-events.js';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import { bearer, STREAM_TOKEN } from './support/gateway-harness.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { call } from './support/http.js';
import { standInTranscoder } from './support/transcoder-stand-in.js';

/**
 * SIGTERM of the gateway as its own process (`node dist/apps/gateway/src/main.js`, built first), while a viewer
 * watches a live stream and two clients trickle request headers: one sends the rest once shutdown has begun, the
 * other never does. The process must end within E2GATE_SHUTDOWN_GRACE plus a margin, not when its slowest client
 * lets it.
 */
const GRACE_MS = 3000;
/** Margin for the rest of shutdown (NATS drain, hooks) on a busy machine. */
const MARGIN_MS = 7000;

let nats: RunningNatsServer;
let sim: ReceiverSim;
let catalog: CatalogUnderTest;
let nc: NatsConnection;
let gateway: GatewayProcess | null = null;
let channelId: string;

beforeAll(async () => {
  nats = await startNatsServer();
  sim = await startReceiverSim({ bouquets: 1, channels: 4, epgDays: 1 });
  catalog = await startCatalog({ natsUrl: nats.url, receiverUrl: sim.url, env: { E2GATE_EPG_DAYS: '1' } });
  const outcome = await catalog.startup;
  if (!outcome.ok) throw new Error(`catalog refresh failed: ${outcome.event.message}`);
  channelId = (await catalog.request(Subject.CatalogGetChannels, { limit: 1 })).channels[0]!.id;
  nc = await connectNats(nats.url);
}, 180_000);

afterAll(async () => {
  await gateway?.dispose();
  await nc?.close();
  await catalog?.close();
  await sim?.close();
  await nats?.stop();
});

describe('gateway shutdown (SIGTERM)', () => {
  it('ends live streams, answers late requests 503 UNAVAILABLE with the error body, cuts slow clients off after the grace and exits', async () => {
    gateway = await startGatewayProcess({
      natsUrl: nats.url,
      env: { E2GATE_SHUTDOWN_GRACE: `${GRACE_MS / 1000}s` },
    });
    await untilReady(gateway.url, 60_000);
    const late = await trickle(gateway.url);
    const stuck = await trickle(gateway.url);
    const transcoder = await standInTranscoder(nc, 'session-shutdown');
    const stream = await openStream(`${gateway.url}/stream/${channelId}`);
    transcoder.send(Buffer.alloc(188 * 7, 0x47));
    await stream.firstBytes;
    transcoder.stop();

    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    const exited = within(gateway.exited, GRACE_MS + MARGIN_MS, 'the gateway did not exit');
    // Once the server is closing, the late client sends the rest of its request.
    const lateReply = gateway
      .logLine(/^closing the HTTP server/, GRACE_MS + MARGIN_MS)
      .then(() => late.finish());
    void lateReply.catch(() => undefined); // awaited below; a failure is reported there

    const exit = await exited;
    expect(Date.now() - signalled).toBeLessThan(GRACE_MS + MARGIN_MS);
    expect(exit.signal === 'SIGTERM' || exit.code === 0, JSON.stringify(exit)).toBe(true);
    // The stream ended as a response ends (its last chunk sent), not as a dropped connection.
    expect(await stream.ended).toEqual({ status: 200, bytes: 188 * 7, clean: true });
    const reply = await lateReply;
    expect(reply.status).toBe(503);
    expect(reply.head).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(reply.body)).toEqual({
      code: 'UNAVAILABLE',
      message: 'the gateway is shutting down',
      requestId: expect.any(String),
    });
    expect(await stuck.closedByServer).toBe(true);
  });
});

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Each probe is an awaited request (no sleep): the gateway serves the snapshot within moments of starting.
  while ((await call(`${url}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`gateway not ready within ${timeoutMs} ms`);
  }
}

/** A client that has sent part of a request's headers and waits; `finish` sends the rest and reads the answer. */
async function trickle(url: string): Promise<{
  finish(): Promise<{ status: number; head: string; body: string }>;
  closedByServer: Promise<boolean>;
}> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => undefined); // a reset by the server is what the stuck client expects
  let finished = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write('GET /healthz HTTP/1.1\r\nHost: gateway.test\r\n');
  return {
    finish: async () => {
      finished = true;
      socket.write('Accept: */*\r\n\r\n');
      await closed;
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      return {
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: text.slice(split + 4),
      };
    },
    closedByServer: closed.then(() => !finished),
  };
}

interface StreamEnd {
  status: number;
  bytes: number;
  clean: boolean;
}

/** GETs a live stream; resolves once its headers arrived, with `firstBytes` (data flows) and `ended` (how it ended). */
async function openStream(url: string): Promise<{ firstBytes: Promise<void>; ended: Promise<StreamEnd> }> {
  return within(
    new Promise((resolve) => {
      const req = request(url, { headers: bearer(STREAM_TOKEN) }, (res) => {
        let bytes = 0;
        let flowing!: () => void;
        const firstBytes = new Promise<void>((resolveFlowing) => (flowing = resolveFlowing));
        const ended = new Promise<StreamEnd>((resolveEnded) => {
          const end = (clean: boolean) => resolveEnded({ status: res.statusCode ?? 0, bytes, clean });
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            flowing();
          });
          res.on('end', () => end(res.complete));
          res.on('aborted', () => end(false));
          res.on('error', () => end(false));
        });
        resolve({ firstBytes: within(firstBytes, 10_000, 'no stream data arrived'), ended });
      });
      req.on('error', () => undefined);
      req.end();
    }),
    10_000,
    'the stream did not start',
  );
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
