/** Composition: dataset, box state, the web, control, stream and relay listeners, faults and shutdown. */
import { setMaxListeners } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxState, type BoxContext } from './box-context.js';
import { BoxClock } from './box-time.js';
import { handleControl, type SimControl } from './control.js';
import { generateDataset } from './dataset.js';
import { DEFAULT_FAULTS, FaultDice, mergeFaults, type SimFaults } from './faults.js';
import { indexFor } from './lookup.js';
import type { SimDataset } from './model.js';
import { relayConnectionHandler } from './relay-server.js';
import { StatsRecorder, type SimStats } from './stats.js';
import { streamConnectionHandler } from './stream-server.js';
import type { StreamDeps } from './stream-session.js';
import { TunerPool } from './tuners.js';
import { webRequestListener } from './web-server.js';

export interface ReceiverSimOptions {
  host?: string;
  port?: number;
  streamPort?: number;
  relayPort?: number;
  bouquets?: number;
  channels?: number;
  epgDays?: number;
  seed?: number;
  now?: () => number;
  fixtureDir?: string;
  faults?: Partial<SimFaults>;
  /** Extension: port of the always-up control listener (`/_sim/*`), 0 = free port. */
  controlPort?: number;
  /** Extension: tuner count (default 4), the limit on concurrent streams on different transponders. */
  tuners?: number;
  /** Extension: stream pacing, 1 = real time (default), 0 = as fast as the reader takes it. */
  streamSpeed?: number;
  /** Extension: the box's time zone for local-time strings (default Europe/Berlin). */
  timeZone?: string;
  /** Extension: diagnostics sink (default: silent). */
  log?: (line: string) => void;
}

export interface ReceiverSim {
  url: string;
  streamUrl: string;
  relayUrl: string;
  /** Extension: the control listener, reachable while the web port is offline. */
  controlUrl: string;
  dataset: SimDataset;
  setFaults(patch: Partial<SimFaults>): Promise<void>;
  resetFaults(): Promise<void>;
  /** Extension: the current fault knobs. */
  faults(): Readonly<SimFaults>;
  stats(): SimStats;
  /** Extension: zero the counters. */
  resetStats(): void;
  close(): Promise<void>;
}

/** Connection bounds per listener (a box serves far fewer). */
const MAX_WEB_CONNECTIONS = 1024;
const MAX_STREAM_CONNECTIONS = 256;

class SimClosedError extends Error {
  readonly code = 'SIM_CLOSED';
}

async function listen(server: HttpServer | NetServer, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function closeServer(server: HttpServer | NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

function trackSockets(server: NetServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

const origin = (host: string, port: number): string =>
  `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

export async function startReceiverSim(options: ReceiverSimOptions = {}): Promise<ReceiverSim> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const dataset = generateDataset({
    bouquets: options.bouquets ?? 3,
    channels: options.channels ?? 30,
    epgDays: options.epgDays ?? 7,
    seed: options.seed ?? 1,
    tuners: options.tuners ?? 4,
  });
  let faults = mergeFaults(DEFAULT_FAULTS, options.faults ?? {});
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal); // every pending latency sleep and live stream listens for shutdown
  const stats = new StatsRecorder();
  const tuners = new TunerPool(dataset.tuners);
  const ports = { web: 0, stream: 0, relay: 0, control: 0 };
  const firstChannel = dataset.channels.find((channel) => channel.counted);
  const ctx: BoxContext = {
    dataset,
    index: indexFor(dataset),
    clock: new BoxClock(options.timeZone),
    now,
    faults: () => faults,
    tuners,
    state: new BoxState(firstChannel?.ref ?? ''),
    ports: () => ({ stream: ports.stream, relay: ports.relay }),
  };

  const hanging = new Set<ServerResponse>();
  const webServer = createHttpServer();
  webServer.maxConnections = MAX_WEB_CONNECTIONS;
  const webSockets = trackSockets(webServer);
  const streamServer = createNetServer();
  streamServer.maxConnections = MAX_STREAM_CONNECTIONS;
  const streamSockets = trackSockets(streamServer);
  const relayServer = createNetServer();
  relayServer.maxConnections = MAX_STREAM_CONNECTIONS;
  const relaySockets = trackSockets(relayServer);
  const controlServer = createHttpServer();

  const setOffline = async (offline: boolean): Promise<void> => {
    if (offline && webServer.listening) {
      await closeServer(webServer);
      for (const socket of webSockets) socket.destroy();
    } else if (!offline && !webServer.listening) {
      await listen(webServer, ports.web, host);
    }
  };

  const control: SimControl = {
    dataset,
    faults: () => faults,
    async setFaults(patch) {
      const next = mergeFaults(faults, patch);
      faults = next;
      await setOffline(next.offline);
    },
    async resetFaults() {
      faults = mergeFaults(DEFAULT_FAULTS, {});
      await setOffline(false);
    },
    stats: () => stats.snapshot(tuners.inUse()),
    resetStats: () => stats.reset(),
  };

  webServer.on(
    'request',
    webRequestListener({
      ctx,
      control,
      ...(options.fixtureDir === undefined ? {} : { fixtureDir: options.fixtureDir }),
      stats,
      dice: new FaultDice(dataset.seed),
      sleep: async (ms) => {
        try {
          await sleep(ms, undefined, { signal: shutdown.signal });
        } catch {
          throw new SimClosedError('simulator closed');
        }
      },
      hang: (res) => {
        hanging.add(res);
        const timer = setTimeout(() => res.destroy(), faults.hangMs);
        res.once('close', () => {
          clearTimeout(timer);
          hanging.delete(res);
        });
      },
    }),
  );
  controlServer.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    handleControl(control, req, res, path)
      .then((handled) => {
        if (!handled) {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          res.end('{"code":"SIM_UNKNOWN_CONTROL","message":"control routes live under /_sim/"}');
        }
      })
      .catch(() => res.destroy());
  });
  const streamDeps: StreamDeps = {
    ctx,
    stats,
    fixtureDir: options.fixtureDir,
    speed: options.streamSpeed ?? 1,
    signal: shutdown.signal,
    log,
  };
  streamServer.on('connection', streamConnectionHandler(streamDeps));
  relayServer.on('connection', relayConnectionHandler(streamDeps));

  const opened: (HttpServer | NetServer)[] = [];
  try {
    ports.web = await listen(webServer, options.port ?? 0, host);
    opened.push(webServer);
    ports.stream = await listen(streamServer, options.streamPort ?? 0, host);
    opened.push(streamServer);
    ports.relay = await listen(relayServer, options.relayPort ?? 0, host);
    opened.push(relayServer);
    ports.control = await listen(controlServer, options.controlPort ?? 0, host);
    opened.push(controlServer);
  } catch (error) {
    await Promise.all(opened.map(closeServer));
    throw error;
  }
  if (faults.offline) await setOffline(true);

  let closing: Promise<void> | null = null;
  return {
    url: origin(host, ports.web),
    streamUrl: origin(host, ports.stream),
    relayUrl: origin(host, ports.relay),
    controlUrl: origin(host, ports.control),
    dataset,
    setFaults: (patch) => control.setFaults(patch),
    resetFaults: () => control.resetFaults(),
    faults: () => faults,
    stats: () => control.stats(),
    resetStats: () => control.resetStats(),
    close() {
      closing ??= (async () => {
        shutdown.abort();
        for (const res of hanging) res.destroy();
        for (const socket of [...webSockets, ...streamSockets, ...relaySockets]) socket.destroy();
        await Promise.all([webServer, streamServer, relayServer, controlServer].map(closeServer));
      })();
      return closing;
    },
  };
}
