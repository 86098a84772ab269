import { finished } from 'node:stream/promises';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GatewayConfig } from '@e2gate/config';
import { E2gateError } from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import type { GatewayMetrics } from '../metrics/gateway.metrics.js';
import type { TranscoderRepository } from '../repositories/transcoder.repository.js';
import type { SnapshotFollowerService } from './snapshot-follower.service.js';
import { StreamService } from './stream.service.js';

function setup(streams = { maxSessions: 50, maxViewersPerSession: 100, viewerBufferBytes: 8 << 20 }) {
  let send: (chunk: Uint8Array | null, key: boolean) => void = () => undefined;
  const unsubscribe = vi.fn();
  const transcoder = {
    openTsSession: vi.fn().mockResolvedValue({ sessionId: 'session-1', node: 'node-1', joined: false }),
    subscribeData: vi.fn((_sessionId: string, onChunk: (chunk: Uint8Array | null, key: boolean) => void) => {
      send = onChunk;
      return Promise.resolve({ unsubscribe });
    }),
    touch: vi.fn().mockResolvedValue(undefined),
  };
  const follower = { requireChannel: (id: string) => ({ channel: { id } }) };
  const metrics = new Proxy({}, { get: () => vi.fn() });
  const service = new StreamService(
    { streams } as GatewayConfig,
    follower as unknown as SnapshotFollowerService,
    transcoder as unknown as TranscoderRepository,
    metrics as GatewayMetrics,
    new ClockRepository(),
  );
  return { service, transcoder, send: (chunk: Uint8Array, key = true) => send(chunk, key), unsubscribe };
}

describe('StreamService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('relays a session to all its viewers over one subscription and tells the transcoder how many watch', async () => {
    const { service, transcoder, send, unsubscribe } = setup();
    const a = await service.open('das-erste-00000000', 'copy', 'r1');
    const b = await service.open('das-erste-00000000', 'copy', 'r2');
    expect(transcoder.subscribeData).toHaveBeenCalledOnce();
    expect(transcoder.touch.mock.calls).toEqual([
      ['session-1', 1],
      ['session-1', 2],
    ]);
    const got: Buffer[] = [];
    b.body.on('data', (chunk: Buffer) => got.push(chunk));
    send(Buffer.from('K'));
    a.body.destroy();
    b.body.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(got).toString()).toBe('K');
    expect(transcoder.touch.mock.calls.at(-1)).toEqual(['session-1', 0]);
    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it('refuses a viewer beyond the per-session bound with CAPACITY', async () => {
    const { service } = setup({ maxSessions: 50, maxViewersPerSession: 1, viewerBufferBytes: 1 << 20 });
    await service.open('das-erste-00000000', 'copy', 'r1');
    const error: unknown = await service.open('das-erste-00000000', 'copy', 'r2').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CAPACITY' });
  });

  it('ends every live stream cleanly at shutdown (what was sent is delivered) and leaves its session', async () => {
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
