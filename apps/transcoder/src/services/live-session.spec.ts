import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import type { EngineRepository, PipelineOutput } from '../repositories/engine.repository.js';
import type { ReceiverRepository } from '../repositories/receiver.repository.js';
import type { StreamPublisherRepository } from '../repositories/stream-publisher.repository.js';
import type { UpstreamHandlers, UpstreamRepository } from '../repositories/upstream.repository.js';
import { TsOutput } from './ts-output.js';
import { INPUT_BATCH_BYTES, INPUT_BATCH_MS, LiveSession, type SessionEnd } from './live-session.js';

/** A live session over fakes of every repository: the test plays the receiver, the engine and the clock. */
function harness(
  target: Promise<{ url: string; program?: number }> = Promise.resolve({
    url: 'http://box:8001/ref',
    program: 28106,
  }),
) {
  let now = 0;
  const upstreams: UpstreamHandlers[] = [];
  const pipelines: {
    options: unknown;
    onOutput: (output: PipelineOutput) => void;
    pushed: Buffer[];
    accept: boolean;
  }[] = [];
  const published: { bytes: number; key: boolean }[] = [];
  const ended: SessionEnd[] = [];
  const events = { live: 0, reconnects: 0 };
  const deps = {
    receiver: { streamTarget: vi.fn(() => target), credentials: null } as unknown as ReceiverRepository,
    upstream: {
      open: vi.fn((_url: string, _credentials: unknown, _stallMs: number, handlers: UpstreamHandlers) => {
        upstreams.push(handlers);
        return { resume: vi.fn(), close: vi.fn() };
      }),
    } as unknown as UpstreamRepository,
    engine: {
      createPipeline: vi.fn((options: unknown, onOutput: (output: PipelineOutput) => void) => {
        const pipeline = { options, onOutput, pushed: [] as Buffer[], accept: true };
        pipelines.push(pipeline);
        return {
          push: (chunk: Buffer) => pipeline.accept && pipeline.pushed.push(Buffer.from(chunk)) > 0, // the engine copies
          markDiscontinuity: () => pipeline.pushed.push(Buffer.from('BREAK')),
          stats: () => ({ warnings: {} }),
          close: vi.fn(),
          destroy: vi.fn(),
        };
      }),
    } as unknown as EngineRepository,
    monotonicMs: () => now,
    random: () => 0.5,
  };
  const publisher = {
    publish: (_id: string, bytes: Uint8Array, key: boolean) => published.push({ bytes: bytes.length, key }),
    end: vi.fn(),
  } as unknown as StreamPublisherRepository;
  const session = new LiveSession(
    {
      sessionId: 's-1',
      channel: { id: 'c', name: 'Channel', ref: '1:0:19:6DCA:44D:1:C00000:0:0:0:', sid: 0x6dca },
      profile: 'copy',
      transcode: { height: 720, preset: 'veryfast', encoder: 'software', ladder: [] },
      upstreamRetryMs: 5_000,
      upstreamStallMs: 1_000,
      output: (outputEvents) => new TsOutput('s-1', publisher, outputEvents),
    },
    deps,
    {
      onLive: () => events.live++,
      onReconnect: () => events.reconnects++,
      onEnded: (end) => ended.push(end),
    },
  );
  return {
    session,
    deps,
    publisher,
    upstreams,
    pipelines,
    published,
    ended,
    events,
    advance: (ms: number) => (now += ms),
  };
}

/** PAT, PMT and a keyframe's first packet: a chunk a viewer can start with. */
function gopStart(): Buffer {
  const packet = (pid: number, payload: number[], adaptation?: number) => {
    const bytes = Buffer.alloc(188, 0xff);
    bytes[0] = 0x47;
    bytes[1] = 0x40 | (pid >> 8);
    bytes[2] = pid & 0xff;
    bytes[3] = adaptation === undefined ? 0x10 : 0x30;
    let at = 4;
    if (adaptation !== undefined) {
      bytes[4] = 1;
      bytes[5] = adaptation;
      at = 6;
    }
    bytes.set(payload, at);
    return bytes;
  };
  return Buffer.concat([packet(0, [0, 0]), packet(0x1000, [0, 2]), packet(0x100, [0, 0, 1, 0xe0], 0x40)]);
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveSession', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('follows the program the box names, copies audio for the copy profile, and publishes key chunks', async () => {
    const { session, pipelines, upstreams, published, events } = harness();
    session.start();
    await flush();
    expect(pipelines[0]!.options).toEqual({ output: 'ts', serviceId: 28106, audio: 'copy' });
    expect(upstreams[0]!.onData(Buffer.alloc(188, 0x47))).toBe(true);
    expect(upstreams[0]!.onData(Buffer.alloc(188, 0x47))).toBe(true);
    // Small reads are gathered into one engine input, pushed after at most 50 ms.
    expect(pipelines[0]!.pushed).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(INPUT_BATCH_MS);
    expect(pipelines[0]!.pushed.map((chunk) => chunk.length)).toEqual([2 * 188]);
    pipelines[0]!.onOutput({ kind: 'ts', data: gopStart() });
    expect(events.live).toBe(1);
    expect(session.state).toBe('live');
    // Held until the first viewer's gateway has subscribed (it reports its viewer), so the first GOP is not lost.
    expect(published).toEqual([]);
    session.release();
    expect(published).toEqual([{ bytes: 3 * 188, key: true }]);
    pipelines[0]!.onOutput({ kind: 'ts', data: Buffer.alloc(188, 0x47) });
    expect(published.at(-1)).toEqual({ bytes: 188, key: false });
  });

  it('sends the held first GOP after two seconds when no gateway reports a viewer', async () => {
    const { session, pipelines, published } = harness();
    session.start();
    await flush();
    pipelines[0]!.onOutput({ kind: 'ts', data: gopStart() });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(published).toEqual([{ bytes: 3 * 188, key: true }]);
  });

  it('keeps a chunk the full engine refused and pushes it again on drain, before reading on', async () => {
    const { session, pipelines, upstreams } = harness();
    session.start();
    await flush();
    const pipeline = pipelines[0]!;
    pipeline.accept = false;
    expect(upstreams[0]!.onData(Buffer.from('first'))).toBe(true);
    await vi.advanceTimersByTimeAsync(INPUT_BATCH_MS);
    expect(pipeline.pushed).toEqual([]);
    // The refused input is kept: reading pauses at the next read until the engine drains.
    expect(upstreams[0]!.onData(Buffer.from('second'))).toBe(false);
    pipeline.accept = true;
    pipeline.onOutput({ kind: 'drain' });
    expect(pipeline.pushed.map(String)).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(INPUT_BATCH_MS);
    expect(pipeline.pushed.map(String)).toEqual(['first', 'second']);
  });

  it('pushes a full batch at once, and what a dropped connection sent before the engine sees the break', async () => {
    const { session, pipelines, upstreams } = harness();
    session.start();
    await flush();
    const pipeline = pipelines[0]!;
    const read = Math.ceil(INPUT_BATCH_BYTES * 0.6);
    expect(upstreams[0]!.onData(Buffer.alloc(read, 0x47))).toBe(true);
    expect(upstreams[0]!.onData(Buffer.alloc(read, 0x47))).toBe(true);
    expect(pipeline.pushed.map((chunk) => chunk.length)).toEqual([INPUT_BATCH_BYTES]);
    upstreams[0]!.onData(Buffer.alloc(188, 0x47));
    upstreams[0]!.onEnd({ kind: 'dropped', message: 'reset' });
    expect(pipeline.pushed.map((chunk) => chunk.length)).toEqual([
      INPUT_BATCH_BYTES,
      2 * read + 188 - INPUT_BATCH_BYTES,
    ]);
  });

  it('ends with RECEIVER_STREAM_REFUSED when the box refuses, and sends the end marker', async () => {
    const { session, upstreams, ended, deps, publisher } = harness();
    session.start();
    await flush();
    upstreams[0]!.onEnd({ kind: 'refused', status: 404, message: 'the receiver answered HTTP 404' });
    expect(ended).toEqual([
      { reason: 'upstream', error: expect.objectContaining({ code: ErrorCode.ReceiverStreamRefused }) },
    ]);
    expect(publisher.end).toHaveBeenCalledWith('s-1');
    expect(deps.upstream.open).toHaveBeenCalledOnce();
  });

  it('ends with RECEIVER_TIMEOUT when the box sends nothing at all', async () => {
    const { session, upstreams, ended } = harness();
    session.start();
    await flush();
    upstreams[0]!.onEnd({ kind: 'silent', message: 'nothing for 1000 ms' });
    expect(ended[0]!.error?.code).toBe(ErrorCode.ReceiverTimeout);
  });

  it('reconnects a dropped stream with viewers kept, and is live again once bytes flow', async () => {
    const { session, upstreams, pipelines, events, deps } = harness();
    session.start();
    await flush();
    pipelines[0]!.onOutput({ kind: 'ts', data: gopStart() });
    upstreams[0]!.onEnd({ kind: 'dropped', message: 'reset' });
    expect(session.state).toBe('reconnecting');
    expect(events.reconnects).toBe(1);
    await vi.runOnlyPendingTimersAsync();
    expect(deps.upstream.open).toHaveBeenCalledTimes(2);
    upstreams[1]!.onData(Buffer.alloc(188, 0x47));
    expect(session.state).toBe('live');
    expect(pipelines).toHaveLength(1); // the same engine pipeline: the break is a discontinuity, not a new stream
    expect(pipelines[0]!.pushed.map(String)).toEqual(['BREAK']); // marked before the new connection's bytes
    expect(session.reconnects).toBe(1);
  });

  it('gives up once reconnecting would spend E2GATE_UPSTREAM_RETRY', async () => {
    const { session, upstreams, ended, advance } = harness();
    session.start();
    await flush();
    for (let attempt = 0; ended.length === 0 && attempt < 50; attempt++) {
      upstreams.at(-1)!.onEnd({ kind: 'unreachable', message: 'ECONNREFUSED' });
      advance(1_000);
      await vi.runOnlyPendingTimersAsync();
    }
    expect(ended[0]).toMatchObject({ reason: 'upstream', error: { code: ErrorCode.ReceiverUnreachable } });
    expect(upstreams.length).toBeLessThanOrEqual(6);
  });

  it('ends with the receiver error when the stream URL cannot be resolved', async () => {
    const { session, ended, deps } = harness(
      Promise.reject(new E2gateError(ErrorCode.ReceiverUnreachable, 'box down')),
    );
    session.start();
    await flush();
    expect(ended[0]!.error?.code).toBe(ErrorCode.ReceiverUnreachable);
    expect(deps.upstream.open).not.toHaveBeenCalled();
  });
});
