import { request } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { QueueGroup, STREAM_KEY_HEADER, streamDataSubject, Subject } from '@e2gate/contracts';
import { connectNats } from '../../support/nats-events.js';
import {
  bearer,
  READ_TOKEN,
  startGateway,
  STREAM_TOKEN,
  type GatewayUnderTest,
} from './support/gateway-harness.js';
import { call } from './support/http.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * `/stream/<channel>` at the gateway alone: auth, then `transcoder.cmd.session.open` over NATS. Without a transcoder
 * the answer is an immediate 503 UNAVAILABLE. A stand-in transcoder (a NATS responder) shows the relay of
 * `stream.data.<session>` chunks; test/e2e/live runs the real transcoder.
 */
let stack: Stack;
let nc: NatsConnection;
let channelId: string;

beforeAll(async () => {
  stack = await startStack({ sim: { bouquets: 2, channels: 6, epgDays: 1 } });
  nc = await connectNats(stack.nats.url);
  channelId = stack.gateway.follower.current!.snapshot.channels[0]!.id;
}, 180_000);
afterAll(async () => {
  await nc?.close();
  await stack?.close();
});

describe('/stream/<channel> without a transcoder', () => {
  it('answers 503 UNAVAILABLE at once (no hang), also for HDHomeRun URLs with ?transcode=', async () => {
    for (const path of [`/stream/${channelId}`, `/stream/${channelId}?transcode=heavy&duration=60`]) {
      const reply = await call(stack.gateway.url + path, { headers: bearer(STREAM_TOKEN) });
      expect(reply.status).toBe(503);
      expect(reply.json()).toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('transcoder'),
      });
    }
  });

  it('404s an unknown channel before asking anyone', async () => {
    const reply = await call(`${stack.gateway.url}/stream/unknown-00000000`, {
      headers: bearer(STREAM_TOKEN),
    });
    expect(reply.json().code).toBe('NOT_FOUND');
  });

  it('needs the stream scope', async () => {
    const reply = await call(`${stack.gateway.url}/stream/${channelId}`, { headers: bearer(READ_TOKEN) });
    expect(reply.status).toBe(403);
  });
});

describe('/stream/<channel> with a stand-in transcoder', () => {
  it('opens a session and relays its TS chunks to the client, ending with the session', async () => {
    const requests: unknown[] = [];
    const responder = nc.subscribe(Subject.TranscoderCmdSessionOpen, {
      queue: QueueGroup.Transcoder,
      callback: (_error, msg) => {
        requests.push(msg.json());
        msg.respond(
          JSON.stringify({ ok: true, data: { sessionId: 'session-1', node: 'test-node', joined: false } }),
        );
      },
    });
    await nc.flush();
    try {
      const chunks = [Buffer.alloc(188 * 10, 0x47), Buffer.alloc(188 * 20, 0x47)];
      const received = await new Promise<{ status: number; type?: string; session?: string; body: Buffer }>(
        (resolve, reject) => {
          const req = request(
            `${stack.gateway.url}/stream/${channelId}?profile=aac`,
            { headers: bearer(STREAM_TOKEN) },
            (res) => {
              const parts: Buffer[] = [];
              res.on('data', (part: Buffer) => parts.push(part));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  type: res.headers['content-type'],
                  session: res.headers['x-session-id'] as string,
                  body: Buffer.concat(parts),
                }),
              );
              // Headers arrived: the gateway is subscribed; now the "transcoder" sends the stream and ends it. The
              // first chunk is marked as a start point (PAT, PMT, keyframe): a viewer starts there.
              const key = natsHeaders();
              key.set(STREAM_KEY_HEADER, '1');
              nc.publish(streamDataSubject('session-1'), chunks[0]!, { headers: key });
              nc.publish(streamDataSubject('session-1'), chunks[1]!);
              nc.publish(streamDataSubject('session-1'), new Uint8Array());
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      expect(received).toMatchObject({ status: 200, type: 'video/mp2t', session: 'session-1' });
      expect(received.body.equals(Buffer.concat(chunks))).toBe(true);
      expect(requests).toEqual([
        { channelId, delivery: 'ts', profile: 'aac', requester: expect.stringMatching(/^gateway-/) },
      ]);
    } finally {
      responder.unsubscribe();
    }
  });

  it('a transcoder that does not answer in time is a 504 TIMEOUT, bounded by E2GATE_STREAM_OPEN_TIMEOUT', async () => {
    const gateway: GatewayUnderTest = await startGateway({
      natsUrl: stack.nats.url,
      env: { E2GATE_STREAM_OPEN_TIMEOUT: '300ms' },
    });
    const silent = nc.subscribe(Subject.TranscoderCmdSessionOpen, {
      queue: QueueGroup.Transcoder,
      callback: () => undefined,
    });
    await nc.flush();
    try {
      await gateway.follower.whenServing(stack.version);
      const reply = await call(`${gateway.url}/stream/${channelId}`, { headers: bearer(STREAM_TOKEN) });
      expect(reply.status).toBe(504);
      expect(reply.json().code).toBe('TIMEOUT');
    } finally {
      silent.unsubscribe();
      await gateway.close();
    }
  });
});
