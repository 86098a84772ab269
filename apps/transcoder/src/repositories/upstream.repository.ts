import { connect, type Socket } from 'node:net';
import { Injectable } from '@nestjs/common';
import { takeBasicAuth } from './receiver-auth.js';

const PACKET = 188;
const SNIFF_BYTES = 2 * PACKET;
const CONNECT_TIMEOUT_MS = 5_000;
/** Each connection reads into one buffer of this size, reused for every read. */
const READ_BUFFER_BYTES = 64 * 1024;
/** The answer's status line and headers must fit in this. */
const MAX_HEAD_BYTES = 16 * 1024;

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
  /**
   * A piece of TS: a view of the connection's read buffer, valid only during the call (copy what is kept).
   * Returning false pauses reading until `resume()`.
   */
  onData(chunk: Buffer): boolean;
  /** Called once, unless the connection was closed by `close()`. */
  onEnd(end: UpstreamEnd): void;
}

export interface UpstreamConnection {
  resume(): void;
  close(): void;
}

/**
 * The receiver's stream port (8001, 17999): one HTTP/1.0 GET per connection, read as raw TS with back-pressure.
 * The only place that opens receiver streams; it counts them (`active`) so tests and metrics can see orphans.
 *
 * A plain socket rather than `http.request`: its reads land in one buffer per connection (`onread`) instead of a
 * new buffer per read, which at tens of reads per second per session was most of the transcoder's garbage. The
 * request is HTTP/1.0, so the answer is the raw stream until the box closes it (never chunked).
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
    let socket: Socket | null = null;
    let head: Buffer | null = Buffer.alloc(0); // the answer's head while it is read, then null
    let received = 0;
    let sniffed: Buffer | null = Buffer.alloc(0); // the body's first bytes until they show TS, then null
    let done = false;
    let stall: NodeJS.Timeout | null = null;
    this.openConnections++;
    const finish = (end: UpstreamEnd | null) => {
      if (done) return;
      done = true;
      this.openConnections--;
      if (stall) clearTimeout(stall);
      socket?.destroy();
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
    const deliver = (chunk: Buffer): boolean => {
      received += chunk.length;
      armStall();
      return handlers.onData(chunk);
    };
    // The box answers 200 before it tunes; a failed tune then sends a text error as the body.
    const sniff = (chunk: Buffer): boolean => {
      const start = Buffer.concat([sniffed ?? Buffer.alloc(0), chunk]);
      if (start.length < SNIFF_BYTES) {
        sniffed = start;
        return true;
      }
      sniffed = null;
      const sync = syncOffset(start);
      if (sync < 0) {
        finish({ kind: 'refused', message: `the receiver sent no transport stream: ${snippet(start)}` });
        return false;
      }
      return deliver(start.subarray(sync));
    };
    const body = (chunk: Buffer): boolean => (sniffed ? sniff(chunk) : deliver(chunk));
    const readHead = (chunk: Buffer): boolean => {
      const bytes = Buffer.concat([head ?? Buffer.alloc(0), chunk]);
      const parsed = parseHead(bytes);
      if (parsed === 'incomplete') {
        if (bytes.length > MAX_HEAD_BYTES) {
          finish({
            kind: 'refused',
            message: `the receiver's answer has no end of headers in ${MAX_HEAD_BYTES} bytes`,
          });
          return false;
        }
        head = bytes;
        return true;
      }
      head = null;
      socket?.setTimeout(0);
      if (parsed.status === 0) {
        finish({ kind: 'refused', message: `the receiver sent no HTTP answer: ${snippet(bytes)}` });
        return false;
      }
      if (parsed.status !== 200) {
        finish({
          kind: 'refused',
          status: parsed.status,
          message: `the receiver answered HTTP ${parsed.status}`,
        });
        return false;
      }
      armStall();
      return parsed.bodyStart < bytes.length ? body(bytes.subarray(parsed.bodyStart)) : true;
    };
    if (target.protocol !== 'http:') {
      queueMicrotask(() =>
        finish({ kind: 'refused', message: `the stream URL is not http: ${target.protocol}` }),
      );
      return { resume: () => undefined, close: () => finish(null) };
    }
    socket = connect({
      host: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(target.port || 80),
      timeout: CONNECT_TIMEOUT_MS,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (count: number, buffer: Uint8Array): boolean => {
          if (done) return false;
          const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, count);
          return head ? readHead(chunk) : body(chunk);
        },
      },
    });
    socket.on('connect', () => {
      const lines = [
        `GET ${target.pathname}${target.search} HTTP/1.0`,
        `Host: ${target.host}`,
        'User-Agent: e2gate-transcoder',
        ...(auth ? [`Authorization: ${auth}`] : []),
      ];
      socket?.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('timeout', () =>
      finish({ kind: 'unreachable', message: `no answer within ${CONNECT_TIMEOUT_MS} ms` }),
    );
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const message = `stream connection failed: ${error.code ?? error.message}`;
      finish(received > 0 ? { kind: 'dropped', message } : { kind: 'unreachable', message });
    });
    socket.on('end', () => {
      if (head) {
        finish({ kind: 'unreachable', message: 'the receiver closed the connection before answering' });
      } else if (sniffed && sniffed.length > 0) {
        finish({ kind: 'refused', message: `the receiver sent no transport stream: ${snippet(sniffed)}` });
      } else {
        finish(
          received > 0
            ? { kind: 'dropped', message: 'the receiver closed the stream' }
            : { kind: 'silent', message: 'the receiver closed the stream without data' },
        );
      }
    });
    socket.on('close', () => finish({ kind: 'dropped', message: 'the stream connection broke' }));
    return {
      resume: () => socket?.resume(),
      close: () => finish(null),
    };
  }
}

/** The status and where the body starts, once the head's blank line has arrived. */
function parseHead(bytes: Buffer): { status: number; bodyStart: number } | 'incomplete' {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
  if (end < 0) return 'incomplete';
  const statusLine = bytes.subarray(0, bytes.indexOf('\n')).toString('latin1');
  const status = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1];
  return { status: status ? Number(status) : 0, bodyStart: end };
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
