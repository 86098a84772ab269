import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { takeBasicAuth } from './receiver-auth.js';

const PACKET = 188;
const SNIFF_BYTES = 2 * PACKET;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * How an upstream connection ended. `refused`: the box answered but not with a stream (HTTP error, or its text
 * error after the 200); `silent`: not one byte within the stall time; both are final. `dropped`: the stream broke
 * after it had started (closed, reset, stalled), and `unreachable`: no connection (refused during a zap, box
 * rebooting); both are worth reconnecting.
 */
export type UpstreamEnd =
  | { kind: 'refused'; message: string; status?: number }
  | { kind: 'silent'; message: string }
  | { kind: 'dropped'; message: string }
  | { kind: 'unreachable'; message: string };

export interface UpstreamHandlers {
  /** A chunk of TS; returning false pauses reading until `resume()`. */
  onData(chunk: Buffer): boolean;
  /** Called once, unless the connection was closed by `close()`. */
  onEnd(end: UpstreamEnd): void;
}

export interface UpstreamConnection {
  resume(): void;
  close(): void;
}

/**
 * The receiver's stream port (8001, 17999): one HTTP GET per connection, read as raw TS with back-pressure. The
 * only place that opens receiver streams; it counts them (`active`) so tests and metrics can see orphans.
 */
@Injectable()
export class UpstreamRepository {
  private openConnections = 0;

  get active(): number {
    return this.openConnections;
  }

  open(
    url: string,
    credentials: { user: string; password: string } | null,
    stallMs: number,
    handlers: UpstreamHandlers,
  ): UpstreamConnection {
    const target = new URL(url);
    const auth = takeBasicAuth(target, credentials);
    let response: IncomingMessage | null = null;
    let received = 0;
    let sniffing = true;
    const sniffed: Buffer[] = [];
    let done = false;
    let stall: NodeJS.Timeout | null = null;
    this.openConnections++;
    const finish = (end: UpstreamEnd | null) => {
      if (done) return;
      done = true;
      this.openConnections--;
      if (stall) clearTimeout(stall);
      req.destroy();
      response?.destroy();
      if (end) handlers.onEnd(end);
    };
    const armStall = () => {
      if (stall) clearTimeout(stall);
      stall = setTimeout(
        () =>
          finish(
            received === 0
              ? { kind: 'silent', message: `the receiver sent nothing for ${stallMs} ms` }
              : { kind: 'dropped', message: `the stream stalled for ${stallMs} ms` },
          ),
        stallMs,
      );
    };
    const deliver = (chunk: Buffer) => {
      received += chunk.length;
      armStall();
      if (!handlers.onData(chunk)) response?.pause();
    };
    const req: ClientRequest = request(target, {
      headers: { 'user-agent': 'e2gate-transcoder', ...(auth ? { authorization: auth } : {}) },
      timeout: CONNECT_TIMEOUT_MS,
    });
    req.on('timeout', () =>
      finish({ kind: 'unreachable', message: `no answer within ${CONNECT_TIMEOUT_MS} ms` }),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const message = `stream connection failed: ${error.code ?? error.message}`;
      finish(received > 0 ? { kind: 'dropped', message } : { kind: 'unreachable', message });
    });
    req.on('response', (res) => {
      response = res;
      req.setTimeout(0);
      if (res.statusCode !== 200) {
        finish({
          kind: 'refused',
          status: res.statusCode,
          message: `the receiver answered HTTP ${res.statusCode}`,
        });
        return;
      }
      armStall();
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        if (!sniffing) return deliver(chunk);
        // The box answers 200 before it tunes; a failed tune then sends a text error as the body.
        sniffed.push(chunk);
        const head = Buffer.concat(sniffed);
        if (head.length < SNIFF_BYTES) return;
        sniffing = false;
        const sync = syncOffset(head);
        if (sync < 0) {
          finish({ kind: 'refused', message: `the receiver sent no transport stream: ${snippet(head)}` });
          return;
        }
        deliver(head.subarray(sync));
      });
      res.on('end', () => {
        if (sniffing && sniffed.length > 0) {
          const head = Buffer.concat(sniffed);
          finish({ kind: 'refused', message: `the receiver sent no transport stream: ${snippet(head)}` });
          return;
        }
        finish(
          received > 0
            ? { kind: 'dropped', message: 'the receiver closed the stream' }
            : { kind: 'silent', message: 'the receiver closed the stream without data' },
        );
      });
      res.on('error', () => finish({ kind: 'dropped', message: 'the stream connection broke' }));
    });
    req.end();
    return {
      resume: () => response?.resume(),
      close: () => finish(null),
    };
  }
}

/** First offset where two packets in a row start with the sync byte; -1 when there is none (a text answer). */
function syncOffset(head: Buffer): number {
  for (let offset = 0; offset + PACKET < head.length && offset < PACKET; offset++) {
    if (head[offset] === 0x47 && head[offset + PACKET] === 0x47) return offset;
  }
  return -1;
}

function snippet(bytes: Buffer): string {
  return JSON.stringify(
    bytes
      .subarray(0, 60)
      .toString('latin1')
      .replace(/[^\x20-\x7e]/g, '.'),
  );
}
