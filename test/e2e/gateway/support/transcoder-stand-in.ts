import { request } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { QueueGroup, STREAM_KEY_HEADER, streamDataSubject, Subject } from '@e2gate/contracts';

/**
 * A stand-in for the transcoder service, for gateway tests that need a session without a receiver stream: answers
 * `transcoder.cmd.session.open` with `sessionId`, so the gateway subscribes to `stream.data.<sessionId>`; the test
 * then publishes the chunks.
 */
export async function standInTranscoder(
  nc: NatsConnection,
  sessionId: string,
): Promise<{ requests: unknown[]; send(chunk: Uint8Array, key?: boolean): void; end(): void; stop(): void }> {
  const requests: unknown[] = [];
  const responder = nc.subscribe(Subject.TranscoderCmdSessionOpen, {
    queue: QueueGroup.Transcoder,
    callback: (_error, msg) => {
      requests.push(msg.json());
      msg.respond(JSON.stringify({ ok: true, data: { sessionId, node: 'test-node', joined: false } }));
    },
  });
  await nc.flush();
  return {
    requests,
    // A viewer starts at a chunk marked as a start point (the real transcoder marks PAT + PMT + keyframe).
    send: (chunk, key = true) => {
      const headers = natsHeaders();
      if (key) headers.set(STREAM_KEY_HEADER, '1');
      nc.publish(streamDataSubject(sessionId), chunk, key ? { headers } : {});
    },
    end: () => nc.publish(streamDataSubject(sessionId), new Uint8Array()),
    stop: () => responder.unsubscribe(),
  };
}

/**
 * GETs a stream. `onHeaders` runs once the response headers arrived (the gateway is subscribed by then); with
 * `abortAfterBytes` the client hangs up once that much arrived, otherwise it reads to the end.
 */
export function readStream(
  url: string,
  headers: Record<string, string>,
  onHeaders: () => void,
  abortAfterBytes?: number,
): Promise<{ status: number; body: Buffer; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      let received = 0;
      res.on('data', (part: Buffer) => {
        parts.push(part);
        received += part.length;
        if (abortAfterBytes !== undefined && received >= abortAfterBytes) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), aborted: true });
        }
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), aborted: false }),
      );
      onHeaders();
    });
    req.on('error', (error) => {
      if (!req.destroyed || abortAfterBytes === undefined) reject(error);
    });
    req.end();
  });
}
