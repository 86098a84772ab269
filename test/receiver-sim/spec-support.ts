/**
 * Helpers for the simulator's own tests: raw HTTP and socket reads (no decompression or decoding in the way),
 * ffprobe as an independent oracle, and a plain packet scan of captured TS.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  TS_PACKET_SIZE,
  continuityCounter,
  hasPayload,
  payloadUnitStart,
  pidOf,
  readPcr27,
  scramblingControl,
} from './ts/packets.js';

const run = promisify(execFile);

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function httpGet(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await httpGet(url, headers);
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${res.body.toString()}`);
  return JSON.parse(res.body.toString('utf8')) as T;
}

export function apiUrl(base: string, path: string, params: Record<string, string | number> = {}): string {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  return url.toString();
}

export interface SocketRead {
  /** Everything received, header included. */
  data: Buffer;
  /** How the connection ended. */
  end: 'closed' | 'reset' | 'limit' | 'timeout';
}

/** Sends a raw request line to a stream port and collects bytes until close, `maxBytes` or `timeoutMs`. */
export function readRaw(
  port: number,
  path: string,
  options: { maxBytes?: number; timeoutMs?: number; headers?: string[] } = {},
): Promise<SocketRead> {
  const { maxBytes = Number.POSITIVE_INFINITY, timeoutMs = 30_000, headers = [] } = options;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (end: SocketRead['end']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), end });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) finish('limit');
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ECONNRESET' ? 'reset' : 'closed'),
    );
    socket.on('close', () => finish('closed'));
  });
}

/** Splits an HTTP/1.0 stream response into its head and the packet-aligned TS body. */
export function splitStream(data: Buffer): { head: string; body: Buffer } {
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end).toString('latin1');
  const body = data.subarray(end + 4);
  return { head, body: body.subarray(0, body.length - (body.length % TS_PACKET_SIZE)) };
}

async function withTempFile<T>(data: Buffer, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-spec-'));
  try {
    const file = join(dir, 'capture.ts');
    await writeFile(file, data);
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function ffprobeJson<T = Record<string, unknown>>(data: Buffer, args: string[]): Promise<T> {
  return withTempFile(data, async (file) => {
    const { stdout } = await run('ffprobe', ['-v', 'error', ...args, '-of', 'json', file], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return JSON.parse(stdout) as T;
  });
}

/** ffprobe's own debug log (it reports continuity counter errors there). */
export function ffprobeDebugLog(data: Buffer): Promise<string> {
  return withTempFile(data, async (file) => {
    const { stderr } = await run('ffprobe', ['-v', 'debug', '-show_entries', 'format=duration', file], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return stderr;
  });
}

export interface PacketInfo {
  pid: number;
  pusi: boolean;
  cc: number;
  payload: boolean;
  scrambling: number;
  pcr27: number | null;
  offset: number;
}

export function scanPackets(body: Buffer): PacketInfo[] {
  const out: PacketInfo[] = [];
  for (let at = 0; at + TS_PACKET_SIZE <= body.length; at += TS_PACKET_SIZE) {
    if (body[at] !== 0x47) throw new Error(`lost sync at byte ${at}`);
    out.push({
      pid: pidOf(body, at),
      pusi: payloadUnitStart(body, at),
      cc: continuityCounter(body, at),
      payload: hasPayload(body, at),
      scrambling: scramblingControl(body, at),
      pcr27: readPcr27(body, at),
      offset: at,
    });
  }
  return out;
}

/** Per PID: how many payload packets broke the continuity counter sequence. */
export function continuityErrors(packets: readonly PacketInfo[]): number {
  const last = new Map<number, number>();
  let errors = 0;
  for (const packet of packets) {
    const previous = last.get(packet.pid);
    if (previous !== undefined) {
      const expected = packet.payload ? (previous + 1) & 0x0f : previous;
      if (packet.cc !== expected) errors++;
    }
    last.set(packet.pid, packet.cc);
  }
  return errors;
}
