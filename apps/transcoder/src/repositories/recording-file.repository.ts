import { request, type IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { reconnectDelay } from '../services/reconnect-policy.js';
import { takeBasicAuth } from './receiver-auth.js';

const CONNECT_TIMEOUT_MS = 5_000;

export interface RecordingReadOptions {
  /** Each chunk, in file order; a returned promise holds reading until it settles (back-pressure). */
  /** `fileSize`: the whole file's size as the receiver states it (for progress). */
  onData(chunk: Buffer, fileSize: number): void | Promise<void>;
  signal: AbortSignal;
  /** No byte for this long counts as a dropped connection (default 10 s, the box's own reader timeout). */
  stallMs?: number;
  /** How long reconnecting may take without a byte of progress before the read fails (default 30 s). */
  retryBudgetMs?: number;
  /** In [0, 1): the jitter source of the reconnect backoff (Math.random; seeded in tests). */
  random?: () => number;
}

export interface RecordingReadResult {
  /** Bytes delivered: the file's size. */
  bytes: number;
  /** Connections after the first (each one resumed where the last stopped, with `Range`). */
  resumes: number;
}

type Attempt = { kind: 'done' } | { kind: 'retry'; message: string };

/**
 * Reads a recording from the receiver's file endpoint (`GET /file?file=<path>` on the web port) from start to end,
 * resuming after a dropped connection with `Range: bytes=<offset>-` and jittered backoff, so a film survives a
 * flaky home network. Every byte is delivered once and in order: a resumed answer must start where the last one
 * stopped (`Content-Range`), and a box that ignores ranges (`200`) has the bytes already delivered skipped.
 */
@Injectable()
export class RecordingFileRepository {
  async read(
    baseUrl: string,
    file: string,
    credentials: { user: string; password: string } | null,
    options: RecordingReadOptions,
  ): Promise<RecordingReadResult> {
    return this.readUrl(new URL(`/file?file=${encodeURIComponent(file)}`, baseUrl), credentials, options);
  }

  /** The same for any file URL of the receiver (its web port's `/file`, a recording's URL on its stream port). */
  async readUrl(
    url: URL,
    credentials: { user: string; password: string } | null,
    options: RecordingReadOptions,
  ): Promise<RecordingReadResult> {
    const file = fileOf(url);
    const auth = takeBasicAuth(url, credentials);
    const state = { offset: 0, size: -1 };
    let resumes = 0;
    let attempt = 0;
    let stuckSince = Date.now();
    for (;;) {
      options.signal.throwIfAborted();
      const before = state.offset;
      const outcome = await this.attempt(url, auth, state, options);
      if (outcome.kind === 'done') return { bytes: state.offset, resumes };
      if (state.offset > before) {
        attempt = 0;
        stuckSince = Date.now();
      }
      attempt++;
      const wait = reconnectDelay(
        attempt,
        Date.now() - stuckSince,
        options.retryBudgetMs ?? 30_000,
        (options.random ?? Math.random)(),
      );
      if (wait === null) {
        throw new E2gateError(
          ErrorCode.ReceiverUnreachable,
          `recording ${file}: ${outcome.message}; gave up at byte ${state.offset} of ${state.size}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      resumes++;
    }
  }

  /** One connection from `state.offset`; advances it by what it delivers. */
  private attempt(
    url: URL,
    auth: string | undefined,
    state: { offset: number; size: number },
    options: RecordingReadOptions,
  ): Promise<Attempt> {
    return new Promise<Attempt>((resolve, reject) => {
      let settled = false;
      let stall: NodeJS.Timeout | undefined;
      const finish = (result: Attempt | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(stall);
        options.signal.removeEventListener('abort', onAbort);
        req.destroy();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const onAbort = () => finish(options.signal.reason as Error);
      const armStall = () => {
        clearTimeout(stall);
        stall = setTimeout(
          () => finish({ kind: 'retry', message: `no data for ${options.stallMs ?? 10_000} ms` }),
          options.stallMs ?? 10_000,
        );
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      const req = request(url, {
        headers: {
          'user-agent': 'e2gate-transcoder',
          range: `bytes=${state.offset}-`,
          ...(auth ? { authorization: auth } : {}),
        },
        timeout: CONNECT_TIMEOUT_MS,
      });
      req.on('timeout', () =>
        finish({ kind: 'retry', message: `no answer within ${CONNECT_TIMEOUT_MS} ms` }),
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        finish({ kind: 'retry', message: `connection failed: ${error.code ?? error.message}` }),
      );
      req.on('response', (res) => {
        req.setTimeout(0);
        const skip = this.acceptResponse(res, url, state);
        if (typeof skip !== 'number') {
          res.resume();
          finish(skip === 'done' ? { kind: 'done' } : skip);
          return;
        }
        let toSkip = skip;
        armStall();
        (async () => {
          for await (const data of res as AsyncIterable<Buffer>) {
            if (settled) return;
            let chunk = data;
            if (toSkip > 0) {
              const dropped = Math.min(toSkip, chunk.length);
              toSkip -= dropped;
              chunk = chunk.subarray(dropped);
              if (chunk.length === 0) {
                armStall();
                continue;
              }
            }
            clearTimeout(stall); // the consumer's back-pressure is not the box stalling
            try {
              await options.onData(chunk, state.size);
            } catch (error) {
              finish(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            state.offset += chunk.length;
            if (settled) return;
            armStall();
          }
          finish(
            state.offset >= state.size
              ? { kind: 'done' }
              : { kind: 'retry', message: `the connection ended at byte ${state.offset} of ${state.size}` },
          );
        })().catch((error: unknown) =>
          finish({ kind: 'retry', message: `the connection broke: ${(error as Error).message}` }),
        );
      });
      req.end();
    });
  }

  /**
   * What the answer means for a read at `state.offset`: bytes to skip from its body (0 normally), `done` when the
   * file has nothing more, a retry (a busy or failing box: 429, 5xx), or a final error. Learns the file's size.
   */
  private acceptResponse(
    res: IncomingMessage,
    url: URL,
    state: { offset: number; size: number },
  ): number | 'done' | Attempt | Error {
    const file = fileOf(url);
    const status = res.statusCode ?? 0;
    if (status === 404)
      return new E2gateError(ErrorCode.ReceiverNotFound, `the receiver has no recording ${file}`);
    if (status === 401 || status === 403) {
      return new E2gateError(
        ErrorCode.ReceiverAuthFailed,
        `the receiver refused the credentials (HTTP ${status})`,
      );
    }
    if (status === 416) {
      const total = /\/(\d+)$/.exec(res.headers['content-range'] ?? '');
      if (total && Number(total[1]) === state.offset) return 'done';
      return new E2gateError(
        ErrorCode.ReceiverBadResponse,
        `recording ${file}: range ${state.offset}- refused (416)`,
      );
    }
    if (status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
      if (!range || Number(range[1]) !== state.offset) {
        return new E2gateError(
          ErrorCode.ReceiverBadResponse,
          `recording ${file}: asked from byte ${state.offset}, the answer covers ${res.headers['content-range'] ?? 'nothing'}`,
        );
      }
      return learnSize(state, Number(range[3]), file) ?? 0;
    }
    if (status === 200) {
      // The box ignored the range: the whole file comes again, and what was delivered already is skipped.
      return learnSize(state, Number(res.headers['content-length'] ?? Number.NaN), file) ?? state.offset;
    }
    if (status === 429 || status >= 500) {
      return { kind: 'retry', message: `the receiver answered HTTP ${status}` };
    }
    return new E2gateError(
      ErrorCode.ReceiverHttpError,
      `recording ${file}: the receiver answered HTTP ${status}`,
    );
  }
}

/** How messages name the file: its `file` parameter, else the URL's path. */
function fileOf(url: URL): string {
  return url.searchParams.get('file') ?? url.pathname;
}

/** Records the file's size; an error when there is none or it changed between connections. */
function learnSize(state: { size: number }, size: number, file: string): E2gateError | undefined {
  if (!Number.isSafeInteger(size) || size < 0) {
    return new E2gateError(ErrorCode.ReceiverBadResponse, `recording ${file}: the answer gives no size`);
  }
  if (state.size >= 0 && state.size !== size) {
    return new E2gateError(
      ErrorCode.ReceiverBadResponse,
      `recording ${file} changed size while being read (${state.size} → ${size} bytes)`,
    );
  }
  state.size = size;
  return undefined;
}
