/** One client streaming one service: tuner lease, fixture, live source, pump, bookkeeping and cleanup. */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BoxContext } from './box-context.js';
import { loadFixture } from './fixtures.js';
import type { SimChannel } from './model.js';
import { hash32 } from './random.js';
import type { StatsRecorder } from './stats.js';
import { BAD_REQUEST_BODY, OK_HEAD } from './stream-http.js';
import { pump } from './stream-pump.js';
import { LiveTsSource, type Scrambling } from './ts/live-source.js';

export interface StreamDeps {
  ctx: BoxContext;
  stats: StatsRecorder;
  fixtureDir: string | undefined;
  /** Pacing factor (1 = real time, 0 = unpaced). */
  speed: number;
  /** Aborted when the simulator closes. */
  signal: AbortSignal;
  log(message: string): void;
}

/** Seconds on the virtual live timeline: wall clock plus a per-channel phase, so channels differ. */
function liveStartSeconds(ctx: BoxContext, channel: SimChannel): number {
  return ctx.now() / 1000 + (hash32(ctx.dataset.seed, 'phase', channel.sid) % 3600);
}

/** A transponder carries several services; the PAT lists at least this many programs (besides the NIT). */
const MIN_PAT_PROGRAMS = 6;

/**
 * SIDs of the transponder for the PAT: the services the dataset has there, padded with services the box knows
 * but no bouquet lists, so every PAT names a few programs whose PMT never comes (broadcast-streams.md §1).
 */
export function patServices(ctx: BoxContext, channel: SimChannel): number[] {
  const sids = ctx.index.transponderServices(channel).map((service) => service.sid);
  for (let k = 1; sids.length < MIN_PAT_PROGRAMS; k++) {
    const sid = (channel.sid + k * 0x0101) & 0xffff;
    if (sid !== 0 && !sids.includes(sid)) sids.push(sid);
  }
  return sids;
}

export function durationParam(query: URLSearchParams): number | null {
  const value = Number(query.get('duration'));
  return query.has('duration') && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * Answers 200 at once (as the box does before tuning), then streams the service until the client leaves,
 * `duration` passes or the simulator closes; failures after the 200 become the 400 text body.
 */
export async function serveLiveStream(
  deps: StreamDeps,
  socket: Socket,
  channel: SimChannel,
  via: 'stream' | 'relay',
  scrambling: Scrambling,
  query: URLSearchParams,
): Promise<void> {
  const endpoint = via;
  const refuse = deps.ctx.faults().streamRefuse;
  if (refuse > 0 && refuse !== 400) {
    deps.stats.record(endpoint, 'refused');
    socket.end(
      `HTTP/1.0 ${refuse} Refused\r\nConnection: Close\r\nContent-Type: text/html\r\n\r\n<html>${refuse}</html>`,
    );
    return;
  }
  socket.write(OK_HEAD);
  if (refuse === 400) {
    deps.stats.record(endpoint, 'refused');
    socket.end(BAD_REQUEST_BODY);
    return;
  }
  const lease = deps.ctx.tuners.acquire(channel.transponder, channel.name);
  if (!lease) {
    deps.stats.record(endpoint, 'tuner-busy');
    socket.end(BAD_REQUEST_BODY);
    return;
  }
  const streamId = deps.ctx.state.addStream({
    ref: channel.ref,
    name: channel.name,
    client: socket.remoteAddress ?? '',
    via,
  });
  deps.stats.streamStarted(channel.name);
  try {
    const fixture = await loadFixture(channel.fixture, deps.fixtureDir);
    const zapMs = deps.ctx.faults().zapMs;
    if (zapMs > 0) await sleep(zapMs, undefined, { signal: deps.signal });
    const neighbours = patServices(deps.ctx, channel);
    const source = new LiveTsSource(fixture, {
      sid: channel.sid,
      transportStreamId: channel.tsid,
      neighbours,
      startSeconds: liveStartSeconds(deps.ctx, channel),
      scrambling,
      seed: hash32(deps.ctx.dataset.seed, 'scramble', channel.sid, streamId),
    });
    deps.stats.record(endpoint, 'ok');
    const faults = deps.ctx.faults();
    const end = await pump(socket, source, {
      speed: deps.speed,
      durationSec: durationParam(query),
      stallDropMs: faults.stallDropMs,
      signal: deps.signal,
      onBytes: (count) => deps.stats.streamBytes(count),
      dropAfterMs: faults.streamDropAfterMs,
      stallAfterMs: faults.streamStallAfterMs,
    });
    if (end === 'stalled' || end === 'dropped') deps.stats.record(endpoint, 'dropped');
  } catch (error) {
    if ((error as Error).name !== 'AbortError') {
      deps.log(`stream of ${channel.name} failed: ${(error as Error).message}`);
      deps.stats.record(endpoint, 'bad-request');
      if (!socket.destroyed) socket.end(BAD_REQUEST_BODY);
    }
  } finally {
    lease.release();
    deps.ctx.state.removeStream(streamId);
    deps.stats.streamEnded(channel.name);
    if (deps.signal.aborted) socket.destroy();
  }
}
