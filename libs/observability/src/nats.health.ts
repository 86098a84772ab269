import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NatsConnectionService } from '@e2gate/nats';

/** NATS readiness on the process's existing connection (the stock microservice ping opens a new one). */
@Injectable()
export class NatsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly nats: NatsConnectionService,
  ) {}

  async isConnected(key = 'nats') {
    const indicator = this.health.check(key);
    const state = this.nats.state;
    if (state !== 'connected') return indicator.down({ state });
    try {
      const rttMs = await withTimeout(this.nats.rtt(), 2000);
      return indicator.up({ state, rttMs });
    } catch (error) {
      return indicator.down({ state, message: (error as Error).message });
    }
  }

  async jetStreamReachable(key = 'jetstream') {
    const indicator = this.health.check(key);
    try {
      const js = await this.nats.jetstream();
      const info = await withTimeout(
        js.jetstreamManager().then((jsm) => jsm.getAccountInfo()),
        2000,
      );
      return indicator.up({ streams: info.streams });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
