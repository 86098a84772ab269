/**
 * The HTTP/1.0 dialect of Enigma2's stream server (lib/dvb/streamserver.cpp): a request head read by hand from
 * the raw socket, `HTTP/1.0 200 OK` written before tuning, and on failure the text `HTTP/1.0 400 Bad Request`
 * as the body after that 200 (openwebif.md §4).
 */
import type { Socket } from 'node:net';

export interface StreamRequest {
  method: string;
  /** Path without the query, URL-decoded (the service reference, or `/file`). */
  path: string;
  query: URLSearchParams;
  headers: Map<string, string>;
}

export const MAX_HEAD_BYTES = 16 * 1024;
export const HEAD_TIMEOUT_MS = 10_000;

export const OK_HEAD =
  'HTTP/1.0 200 OK\r\nConnection: Close\r\nContent-Type: video/mpeg\r\nServer: streamserver\r\n\r\n';
export const BAD_REQUEST_BODY = 'HTTP/1.0 400 Bad Request\r\n\r\n';

export function unauthorizedHead(realm: string): string {
  return `HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="${realm}"\r\nConnection: Close\r\nContent-Type: text/html\r\n\r\n<html><body>401 Unauthorized</body></html>`;
}

export function parseRequestHead(head: string): StreamRequest | null {
  const lines = head.split(/\r?\n/);
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!match) return null;
  const [, method = 'GET', target = '/'] = match;
  const queryAt = target.indexOf('?');
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { method, path, query: new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)), headers };
}

/** Reads the request head (bounded in size and time); resolves null when the client sends garbage or nothing. */
export function readRequestHead(socket: Socket): Promise<StreamRequest | null> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (result: StreamRequest | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      const altEnd = buffered.indexOf('\n\n');
      const cut = end >= 0 ? end : altEnd;
      if (cut >= 0) {
        socket.pause();
        finish(parseRequestHead(buffered.subarray(0, cut).toString('latin1')));
      } else if (buffered.length > MAX_HEAD_BYTES) {
        finish(null);
      }
    };
    const onClose = (): void => finish(null);
    const timer = setTimeout(() => finish(null), HEAD_TIMEOUT_MS);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
  });
}
