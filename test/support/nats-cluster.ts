import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureNatsIdentities, renderNatsServerConfig, type NatsIdentity } from '@e2gate/nats';
import { freePort } from './app-process.js';
import {
  connectAs,
  findNatsServerBinary,
  forgetNatsIdentities,
  registerNatsIdentities,
  ServerLog,
  spawnServer,
  stopChild,
} from './nats-server.js';

export interface ClusterNode {
  name: string;
  url: string;
  /** SIGKILL, as a crash or a lost machine. */
  kill(): Promise<void>;
  /** Starts it again with its store (it catches up from the others). */
  restart(): Promise<void>;
}

export interface RunningNatsCluster {
  /** Every node's client URL, comma-separated: what the services get as NATS_URL. */
  url: string;
  nodes: ClusterNode[];
  identities: readonly NatsIdentity[];
  violations(): string[];
  stop(): Promise<void>;
}

/**
 * A JetStream cluster of `size` nats-server processes on loopback ports (docs/deploy/nats-cluster.md), with the
 * services' users as `npm start` has them; resolves once JetStream has a meta leader and answers.
 */
export async function startNatsCluster(size = 3): Promise<RunningNatsCluster> {
  const binary = findNatsServerBinary();
  const workDir = mkdtempSync(join(tmpdir(), 'e2gate-nats-cluster-'));
  const identities = await ensureNatsIdentities(join(workDir, 'auth'));
  const clientPorts = await Promise.all(Array.from({ length: size }, freePort));
  const routePorts = await Promise.all(Array.from({ length: size }, freePort));
  const log = new ServerLog();
  const children: (ChildProcess | null)[] = Array.from({ length: size }, () => null);

  const start = async (index: number): Promise<void> => {
    const nodeDir = join(workDir, `n${index + 1}`);
    mkdirSync(nodeDir, { recursive: true });
    const routes = routePorts
      .filter((_, other) => other !== index)
      .map((port) => `nats-route://127.0.0.1:${port}`);
    const configFile = join(nodeDir, 'nats-server.conf');
    writeFileSync(
      configFile,
      renderNatsServerConfig({
        identities,
        extra: [
          `server_name: n${index + 1}`,
          `cluster { name: e2gate, listen: "127.0.0.1:${routePorts[index]}", routes: ${JSON.stringify(routes)} }`,
        ].join('\n'),
      }),
    );
    const { child } = await spawnServer(
      binary,
      String(clientPorts[index]),
      join(nodeDir, 'js'),
      nodeDir,
      configFile,
      log,
    );
    children[index] = child;
  };

  await Promise.all(Array.from({ length: size }, (_, index) => start(index)));
  const url = clientPorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
  registerNatsIdentities(url, identities);
  await untilJetStreamAnswers(url);
  return {
    url,
    identities,
    violations: () => [...log.violations],
    nodes: clientPorts.map((port, index) => ({
      name: `n${index + 1}`,
      url: `nats://127.0.0.1:${port}`,
      kill: async () => {
        const child = children[index];
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      },
      restart: async () => {
        await stopChild(children[index]!);
        await start(index);
      },
    })),
    stop: async () => {
      await Promise.all(children.map((child) => (child ? stopChild(child) : Promise.resolve())));
      forgetNatsIdentities(url);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A cluster answers JetStream API calls only once its nodes have elected a meta leader. */
async function untilJetStreamAnswers(url: string): Promise<void> {
  const nc = await connectAs(url, 'admin');
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await (await jetstreamManager(nc, { timeout: 2000 })).getAccountInfo();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await delay(200);
      }
    }
  } finally {
    await nc.close();
  }
}
