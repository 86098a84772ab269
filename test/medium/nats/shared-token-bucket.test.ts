import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { SharedTokenBucket } from '@e2gate/nats';
import { connectAs, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';

// The receiver's request budget shared by several processes: two buckets (two "processes", each with its own NATS
// connection) on one KV key never let more through together than the rate allows.

let nats: RunningNatsServer;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  for (const nc of connections) await nc.close();
  await nats?.stop();
});

async function bucket(name: string, rate: number, burst: number): Promise<SharedTokenBucket> {
  const nc = await connectAs(nats.url);
  connections.push(nc);
  const kvm = new Kvm(jetstream(nc));
  await kvm.create(name, { history: 1 });
  return new SharedTokenBucket(() => kvm.open(name), 'requests', rate, burst);
}

describe('SharedTokenBucket', () => {
  it('holds two processes together to one rate: 60 requests at 20/s with a burst of 20 take at least 2 s', async () => {
    const a = await bucket('budget-a', 20, 20);
    const b = await bucket('budget-a', 20, 20);
    const started = performance.now();
    const taken: number[] = [];
    const take = async (one: SharedTokenBucket) => {
      await one.take();
      taken.push(performance.now() - started);
    };
    await Promise.all(Array.from({ length: 60 }, (_, index) => take(index % 2 ? a : b)));
    // 20 at once (the burst), the other 40 no faster than 20 per second (a lower bound: never too many).
    expect(Math.max(...taken)).toBeGreaterThanOrEqual(1_900);
    const inFirstSecond = taken.filter((ms) => ms < 1_000).length;
    expect(inFirstSecond).toBeLessThanOrEqual(20 + 20 + 1);
  });

  it('lets requests through when the budget cannot be reached (each process keeps its own limit)', async () => {
    const broken = new SharedTokenBucket(() => Promise.reject(new Error('no NATS')), 'requests', 1, 1);
    await broken.take();
    await broken.take();
  });
});
