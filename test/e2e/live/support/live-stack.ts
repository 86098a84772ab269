import { request } from 'node:http';
import { startStack, type Stack, type StackOptions } from '../../gateway/support/stack.js';
import { startGateway, type GatewayUnderTest } from '../../gateway/support/gateway-harness.js';
import { startTranscoder, type TranscoderUnderTest } from '../../../support/transcoder-harness.js';
import type { SimChannel } from '../../../receiver-sim/model.js';

export interface LiveStack extends Stack {
  transcoders: TranscoderUnderTest[];
  /** Gateways beyond the stack's own (replicas on the same NATS). */
  replicas: GatewayUnderTest[];
  /** The catalog's channel id of a simulator service, found by its name. */
  channelId(name: string): string;
  /** A simulator service of the catalog by what it carries. */
  service(predicate: (channel: SimChannel) => boolean): SimChannel;
}

/**
 * The whole live path in one process: nats-server, the receiver simulator (real-time streams), catalog, gateway(s)
 * and transcoder(s), the real apps. Radio bouquets are read, so radio services are channels too.
 */
export async function startLiveStack(
  options: StackOptions & {
    transcoderEnv?: Record<string, string>;
    transcoders?: number;
    gateways?: number;
  } = {},
): Promise<LiveStack> {
  const stack = await startStack({
    sim: { bouquets: 3, channels: 16, epgDays: 1, ...options.sim },
    ...(options.gatewayEnv ? { gatewayEnv: options.gatewayEnv } : {}),
    catalogEnv: { E2GATE_RADIO: 'true', ...options.catalogEnv },
  });
  const transcoders: TranscoderUnderTest[] = [];
  for (let index = 0; index < (options.transcoders ?? 1); index++) {
    transcoders.push(
      await startTranscoder({
        natsUrl: stack.nats.url,
        receiverUrl: stack.sim.url,
        env: options.transcoderEnv ?? {},
      }),
    );
  }
  const replicas: GatewayUnderTest[] = [];
  for (let index = 1; index < (options.gateways ?? 1); index++) {
    const replica = await startGateway({
      natsUrl: stack.nats.url,
      ...(options.gatewayEnv ? { env: options.gatewayEnv } : {}),
    });
    await replica.follower.whenServing(stack.version, 60_000);
    replicas.push(replica);
  }
  const view = () => stack.gateway.follower.current!.snapshot;
  return {
    ...stack,
    transcoders,
    replicas,
    channelId: (name) => {
      const channel = view().channels.find((candidate) => candidate.name === name);
      if (!channel) throw new Error(`no channel ${name} in the catalog`);
      return channel.id;
    },
    service: (predicate) => {
      const inCatalog = new Set(view().channels.map((channel) => channel.name));
      const found = stack.sim.dataset.channels.find(
        (channel) => inCatalog.has(channel.name) && predicate(channel),
      );
      if (!found) throw new Error('no such service in the catalog');
      return found;
    },
    close: async () => {
      for (const replica of replicas) await replica.close();
      for (const transcoder of transcoders) await transcoder.close();
      await stack.close();
    },
  };
}

export interface Watcher {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Bytes received so far. */
  bytes(): Buffer;
  received(): number;
  /** Resolves when the response ends (or the socket closes). */
  ended: Promise<void>;
  /** Stops reading (the socket stays open: a stalled client). */
  pause(): void;
  close(): void;
}

/** Opens a stream like a player: resolves once the response head arrived. */
export function watch(url: string, headers: Record<string, string>, keep = true): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    // A connection of its own: Node's global agent times idle sockets out after 5 s, a paused reader's included.
    const req = request(url, { headers, agent: false }, (res) => {
      let endedResolve!: () => void;
      const ended = new Promise<void>((done) => (endedResolve = done));
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (keep) chunks.push(chunk);
      });
      res.on('end', endedResolve);
      res.on('close', endedResolve);
      res.on('error', endedResolve);
      // A paused response reports nothing: the socket does, when the server closes it.
      res.socket.once('close', endedResolve);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        bytes: () => Buffer.concat(chunks),
        received: () => total,
        ended,
        pause: () => res.pause(),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves once `probe` returns true, polling every 100 ms; fails after `timeoutMs`. */
export async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/**
 * A client that sends its request and then reads nothing at all (a raw socket, paused): what a player that froze
 * looks like to the server. It cannot see the server close the connection (it reads nothing, not even the end).
 */
export async function stallingClient(url: string): Promise<{ close(): void }> {
  const { connect } = await import('node:net');
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
      socket.pause();
      resolve({ close: () => socket.destroy() });
    });
    socket.once('error', reject);
  });
}
