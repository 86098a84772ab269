import { finished } from 'node:stream/promises';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { E2gateError } from '@e2gate/contracts';
import type { GatewayMetrics } from '../metrics/gateway.metrics.js';
import type { TranscoderRepository } from '../repositories/transcoder.repository.js';
import type { SnapshotFollowerService } from './snapshot-follower.service.js';
import { StreamService } from './stream.service.js';

function setup() {
  let send: (chunk: Uint8Array | null) => void = () => undefined;
  const unsubscribe = vi.fn();
  const transcoder = {
    openTsSession: vi.fn().mockResolvedValue({ sessionId: 'session-1', node: 'node-1' }),
    subscribeData: vi.fn((_sessionId: string, onChunk: (chunk: Uint8Array | null) => void) => {
      send = onChunk;
      return Promise.resolve({ unsubscribe });
    }),
  };
  const follower = { current: { channel: (id: string) => ({ id }) } };
  const service = new StreamService(
    follower as unknown as SnapshotFollowerService,
    transcoder as unknown as TranscoderRepository,
    { streamOpen: vi.fn() } as unknown as GatewayMetrics,
  );
  return { service, send: (chunk: Uint8Array) => send(chunk), unsubscribe };
}

describe('StreamService at shutdown', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('ends every live stream cleanly (what was sent is delivered) and leaves its session', async () => {
    const { service, send, unsubscribe } = setup();
    const opened = await service.open('das-erste-00000000', 'copy', 'r1');
    const received: Buffer[] = [];
    opened.body.on('data', (chunk: Buffer) => received.push(chunk));
    send(Buffer.from('ts-bytes'));
    service.beforeApplicationShutdown();
    await finished(opened.body);
    expect(Buffer.concat(received).toString()).toBe('ts-bytes');
    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it('refuses new streams with UNAVAILABLE once shutdown has begun', async () => {
    const { service } = setup();
    service.beforeApplicationShutdown();
    const error: unknown = await service.open('das-erste-00000000', 'copy', 'r2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(E2gateError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: 'the gateway is shutting down' });
  });
});
