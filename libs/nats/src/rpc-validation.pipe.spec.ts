import { describe, expect, it } from 'vitest';
import { RpcException } from '@nestjs/microservices';
import {
  EventClass,
  RequestClass,
  type EventContracts,
  type EventSubject,
  type RequestOf,
  type RequestSubject,
} from '@e2gate/contracts';
import { createRpcValidationPipe } from './rpc-validation.pipe.js';

// Every field a service sends must survive the pipe every handler runs (whitelist + forbidNonWhitelisted):
// a field without a class-validator decorator makes the whole message fail, so its handler never runs.

const requests: { [S in RequestSubject]: RequestOf<S> } = {
  'catalog.get.meta': {},
  'catalog.get.channels': { bouquet: 'Favourites', offset: 0, limit: 100 },
  'catalog.get.epg': {
    channelIds: ['das-erste-hd-3f9a2c01'],
    from: 1_763_000_000,
    to: 1_763_086_400,
    offset: 0,
    limit: 50,
  },
  'catalog.get.search': { q: 'Tatort', from: 1_763_000_000, to: 1_763_086_400, limit: 20 },
  'catalog.get.now-next': { channelIds: ['das-erste-hd-3f9a2c01'], at: 1_763_000_000, offset: 0, limit: 10 },
  'catalog.cmd.refresh': { reason: 'manual' },
  'transcoder.cmd.session.open': {
    channelId: 'das-erste-hd-3f9a2c01',
    delivery: 'hls',
    profile: 'aac',
    requester: 'gateway-1',
  },
};

/** The events exactly as the catalog publishes them. */
const events: { [S in EventSubject]: EventContracts[S] } = {
  'catalog.evt.refreshed': {
    refreshId: '0b6f3f5e-3c1e-4a43-9f59-2d2f3f0f7a11',
    version: '9f2c4e1a0b7d',
    changed: false,
    counts: { bouquets: 3, channels: 24, events: 1812, channelsWithEpg: 22, picons: 20 },
    partialFailures: 1,
    durationMs: 1234,
  },
  'catalog.evt.refresh-failed': {
    refreshId: '0b6f3f5e-3c1e-4a43-9f59-2d2f3f0f7a11',
    code: 'RECEIVER_UNREACHABLE',
    message: 'connect ECONNREFUSED',
    durationMs: 40,
    stale: true,
  },
  'transcoder.cmd.session.touch': {
    sessionId: 'das-erste-hd-3f9a2c01-aac-1a2b',
    gateway: 'gw-1',
    viewers: 3,
  },
  'transcoder.cmd.session.close': { sessionId: 'das-erste-hd-3f9a2c01-aac-1a2b', reason: 'admin' },
  'transcoder.evt.session.closed': {
    sessionId: 'das-erste-hd-3f9a2c01-aac-1a2b',
    channelId: 'das-erste-hd-3f9a2c01',
    profile: 'aac',
    node: 'transcoder-vm-42',
    reason: 'upstream',
    code: 'RECEIVER_STREAM_REFUSED',
  },
  'transcoder.evt.session.segment': { sessionId: 'das-erste-hd-3f9a2c01-hls-1a2b', sequence: 41 },
};

const pipe = createRpcValidationPipe();

function validate(metatype: new () => object, value: unknown): Promise<unknown> {
  // Plain JSON in, as it comes off the wire.
  return pipe.transform(JSON.parse(JSON.stringify(value)), { type: 'body', metatype });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error instanceof RpcException ? error.getError() : error;
  }
  throw new Error('expected a validation failure');
}

describe('RPC validation pipe over every contract', () => {
  it.each(Object.keys(requests) as RequestSubject[])('accepts a complete %s request', async (subject) => {
    const value = requests[subject];
    expect(await validate(RequestClass[subject], value)).toEqual(value);
  });

  it.each(Object.keys(events) as EventSubject[])('accepts the %s event as published', async (subject) => {
    const value = events[subject];
    const accepted = await validate(EventClass[subject], value);
    expect(accepted).toBeInstanceOf(EventClass[subject]);
    expect(JSON.parse(JSON.stringify(accepted))).toEqual(value);
  });

  it('rejects events with wrong or unknown fields, naming them', async () => {
    const refreshed = events['catalog.evt.refreshed'];
    expect(
      await rejection(
        validate(EventClass['catalog.evt.refreshed'], {
          ...refreshed,
          changed: 'yes',
          counts: { ...refreshed.counts, channels: -1, extra: 1 },
        }),
      ),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: {
        changed: [expect.stringContaining('boolean')],
        'counts.channels': [expect.any(String)],
        'counts.extra': [expect.stringContaining('should not exist')],
      },
    });
    const { stale: _stale, ...withoutStale } = events['catalog.evt.refresh-failed'];
    expect(
      await rejection(validate(EventClass['catalog.evt.refresh-failed'], { ...withoutStale, surprise: 1 })),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { stale: [expect.any(String)], surprise: [expect.stringContaining('should not exist')] },
    });
  });

  it('refuses a payload nested too deep with VALIDATION_FAILED before class-transformer overflows the stack', async () => {
    // What arrives from `nats req catalog.cmd.refresh '{"reason":[[[…]]]}'`: 5,000 levels in under 10 KB.
    const deep = JSON.parse(`{"reason":${'['.repeat(5000)}${']'.repeat(5000)}}`) as unknown;
    const error = await rejection(
      pipe.transform(deep, { type: 'body', metatype: RequestClass['catalog.cmd.refresh'] }),
    );
    expect(error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'invalid request: payload nested deeper than 32 levels',
    });
  });
});
