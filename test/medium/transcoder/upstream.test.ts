import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  UpstreamRepository,
  type UpstreamEnd,
} from '../../../apps/transcoder/src/repositories/upstream.repository.js';

// The transcoder's receiver stream connection on a real socket: what it asks, how it reads the answer (heads split
// anywhere, errors in the body, pauses), and how each kind of end is told apart. The live e2e tests cover it
// against the simulator's stream ports.

const upstream = new UpstreamRepository();
let server: Server | null = null;

afterEach(async () => {
  server?.close();
  server = null;
  expect(upstream.active).toBe(0); // no connection left open by any test
});

/** A box whose answer is written by `answer` once the request head arrived; resolves its URL. */
async function box(answer: (socket: Socket, request: string) => void): Promise<string> {
  server = createServer((socket) => {
    let request = '';
    socket.on('data', (data) => {
      request += data.toString('latin1');
      if (request.includes('\r\n\r\n')) answer(socket, request);
    });
    socket.on('error', () => undefined);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function packets(count: number, first = 0): Buffer {
  const data = Buffer.alloc(count * 188);
  for (let index = 0; index < count; index++) {
    data[index * 188] = 0x47;
    data.writeUInt32BE(first + index, index * 188 + 4);
  }
  return data;
}

function read(
  url: string,
  options: { credentials?: { user: string; password: string }; stallMs?: number; pauseEvery?: number } = {},
) {
  const received: Buffer[] = [];
  let calls = 0;
  const ended = new Promise<UpstreamEnd>((resolve) => {
    const connection = upstream.open(url, options.credentials ?? null, options.stallMs ?? 2_000, {
      onData: (chunk) => {
        received.push(Buffer.from(chunk)); // a view of the read buffer: copied, as the contract says
        calls++;
        if (options.pauseEvery && calls % options.pauseEvery === 0) {
          setTimeout(() => connection.resume(), 5);
          return false;
        }
        return true;
      },
      onEnd: resolve,
    });
  });
  return { ended, body: () => Buffer.concat(received) };
}

describe('UpstreamRepository', () => {
  it('asks with HTTP/1.0, the box as Host and the credentials in a header, never in the request line', async () => {
    let request = '';
    const url = await box((socket, head) => {
      request = head;
      socket.end('HTTP/1.0 404 Not Found\r\n\r\n');
    });
    const { ended } = read(`${url.replace('//', '//alice:s%3Acret@')}/1:0:19:6DCA:44D:1:C00000:0:0:0:?x=1`);
    expect(await ended).toEqual({ kind: 'refused', status: 404, message: 'the receiver answered HTTP 404' });
    const [line, ...headers] = request.split('\r\n');
    expect(line).toBe('GET /1:0:19:6DCA:44D:1:C00000:0:0:0:?x=1 HTTP/1.0');
    expect(headers).toContain(`Host: ${new URL(url).host}`);
    expect(headers).toContain(`Authorization: Basic ${Buffer.from('alice:s:cret').toString('base64')}`);
    expect(request).not.toContain('alice');
  });

  it('delivers every byte after a head split anywhere, in order, with pauses honoured, and ends as dropped', async () => {
    const stream = packets(2_000);
    const url = await box((socket) => {
      const answer = Buffer.concat([
        Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: video/mpeg\r\n\r\n'),
        stream,
      ]);
      let offset = 0;
      const sizes = [7, 13, 29, 1_000, 40_000, 65_536, 100_000];
      const next = () => {
        if (offset >= answer.length) return void socket.end();
        const size = sizes[offset % sizes.length] as number;
        socket.write(answer.subarray(offset, offset + size), next);
        offset += size;
      };
      next();
    });
    const { ended, body } = read(url, { pauseEvery: 3, credentials: { user: 'root', password: 'pw' } });
    expect(await ended).toEqual({ kind: 'dropped', message: 'the receiver closed the stream' });
    expect(body().equals(stream)).toBe(true);
  });

  it('skips bytes before the first packet and refuses a text error sent after the 200', async () => {
    const stream = packets(10);
    const aligned = await box((socket) =>
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\n\nxx'), stream])),
    );
    const first = read(aligned);
    expect((await first.ended).kind).toBe('dropped');
    expect(first.body().equals(stream)).toBe(true);

    server?.close();
    const text = await box((socket) =>
      socket.end('HTTP/1.0 200 OK\r\n\r\nError: no free tuner for this service'),
    );
    expect(await read(text).ended).toEqual({
      kind: 'refused',
      message: 'the receiver sent no transport stream: "Error: no free tuner for this service"',
    });
  });

  it('tells a box that answers no HTTP, one that closes before answering, and one that stays silent apart', async () => {
    const garbage = await box((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    expect(await read(garbage).ended).toMatchObject({ kind: 'refused', message: /sent no HTTP answer/ });
    server?.close();

    const closing = await box((socket) => socket.end());
    expect(await read(closing).ended).toEqual({
      kind: 'unreachable',
      message: 'the receiver closed the connection before answering',
    });
    server?.close();

    const silent = await box((socket) => socket.write('HTTP/1.0 200 OK\r\n\r\n'));
    expect(await read(silent, { stallMs: 300 }).ended).toEqual({
      kind: 'silent',
      message: 'the receiver sent nothing for 300 ms',
    });
  });

  it('is unreachable when nothing listens, and refuses a URL that is not http', async () => {
    const url = await box(() => undefined);
    server?.close();
    await once(server!, 'close');
    expect(await read(url).ended).toEqual({
      kind: 'unreachable',
      message: 'stream connection failed: ECONNREFUSED',
    });
    expect(await read('https://127.0.0.1:1/x').ended).toEqual({
      kind: 'refused',
      message: 'the stream URL is not http: https:',
    });
  });
});
