/**
 * Writes a live source to a socket at real time (or a multiple of it, or unpaced), honouring back-pressure,
 * `?duration=`, the box's stalled-reader drop and the simulator's shutdown.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { LiveTsSource } from './ts/live-source.js';
import { TS_PACKET_SIZE } from './ts/packets.js';

/** About 64 KiB of packets per write. */
const CHUNK_PACKETS = 348;
/** Paced streams write what is due every tick (a box also sends in bursts), never per packet. */
const TICK_MS = 20;

export interface PumpOptions {
  /** 1 = real time, 2 = twice as fast, 0 = as fast as the reader takes it. */
  speed: number;
  /** Media seconds after which the stream ends (`?duration=`), or null. */
  durationSec: number | null;
  /** A reader whose socket stays full this long is dropped. */
  stallDropMs: number;
  signal: AbortSignal;
  onBytes(count: number): void;
  /** Fault: reset the connection this long after the start (0 = never). */
  dropAfterMs?: number;
  /** Fault: send nothing more this long after the start, keeping the connection open (0 = never). */
  stallAfterMs?: number;
}

export type PumpEnd = 'duration' | 'closed' | 'stalled' | 'aborted' | 'dropped';

async function waitWritable(socket: Socket, stallDropMs: number, signal: AbortSignal): Promise<boolean> {
  const stall = new AbortController();
  const both = AbortSignal.any([signal, stall.signal]);
  try {
    const drained = once(socket, 'drain', { signal: both }).then(() => true);
    const closed = once(socket, 'close', { signal: both }).then(() => false);
    const stalled = sleep(stallDropMs, false, { signal: both });
    return await Promise.race([drained, closed, stalled]);
  } finally {
    stall.abort();
  }
}

export async function pump(socket: Socket, source: LiveTsSource, options: PumpOptions): Promise<PumpEnd> {
  const started = performance.now();
  const limit = options.durationSec ?? Number.POSITIVE_INFINITY;
  try {
    while (!socket.destroyed && !options.signal.aborted) {
      const running = performance.now() - started;
      if (options.dropAfterMs && running >= options.dropAfterMs) {
        socket.resetAndDestroy();
        return 'dropped';
      }
      if (options.stallAfterMs && running >= options.stallAfterMs) {
        await once(socket, 'close', { signal: options.signal });
        return 'closed';
      }
      const elapsed =
        options.speed > 0 ? ((performance.now() - started) / 1000) * options.speed : Number.POSITIVE_INFINITY;
      if (source.nextDue() >= limit) {
        socket.end();
        return 'duration';
      }
      const chunk = source.read(CHUNK_PACKETS, Math.min(elapsed, limit));
      if (chunk.length > 0) {
        options.onBytes(chunk.length);
        if (!socket.write(chunk) && !(await waitWritable(socket, options.stallDropMs, options.signal))) {
          if (socket.destroyed || options.signal.aborted)
            return options.signal.aborted ? 'aborted' : 'closed';
          socket.resetAndDestroy(); // like the box's TCP user timeout: abort, do not queue a FIN behind the data
          return 'stalled';
        }
        if (chunk.length === CHUNK_PACKETS * TS_PACKET_SIZE) {
          await yieldToLoop(undefined, { signal: options.signal }); // a backlog: keep writing
          continue;
        }
      }
      const dueInMs = ((source.nextDue() - elapsed) / options.speed) * 1000;
      await sleep(Math.max(TICK_MS, Math.min(dueInMs, 1000)), undefined, { signal: options.signal });
    }
    return options.signal.aborted ? 'aborted' : 'closed';
  } catch (error) {
    if ((error as Error).name === 'AbortError') return 'aborted';
    throw error;
  }
}
