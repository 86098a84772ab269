/**
 * The port-17999 stream relay (softcam descrambling). For an encrypted service, connections in the first
 * `encryptedRefuseMs` after its zap are reset; then it streams with a scrambled lead-in of ~400 video and ~20
 * audio packets (openwebif.md §5, broadcast-streams.md T9). No auth: the box hands out relay URLs without it.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BAD_REQUEST_BODY, OK_HEAD, readRequestHead } from './stream-http.js';
import { serveLiveStream, type StreamDeps } from './stream-session.js';

export const LEAD_IN = { videoPackets: 400, audioPackets: 20 } as const;
/** A zap is forgotten this long after its last reader left (the tuner is released). */
const ZAP_KEEP_MS = 2000;

interface Zap {
  startedAt: number;
  active: number;
  lastSeen: number;
}

/** Per service: when it was zapped to, and whether the softcam is up yet. */
export class ZapWindows {
  private readonly zaps = new Map<string, Zap>();

  /** Registers a connection attempt; true when the relay accepts it. */
  admit(key: string, refuseMs: number, now = performance.now()): boolean {
    let zap = this.zaps.get(key);
    if (zap && zap.active === 0 && now - Math.max(zap.lastSeen, zap.startedAt + refuseMs) > ZAP_KEEP_MS) {
      this.zaps.delete(key);
      zap = undefined;
    }
    if (!zap) {
      zap = { startedAt: now, active: 0, lastSeen: now };
      this.zaps.set(key, zap);
    }
    zap.lastSeen = now;
    return now - zap.startedAt >= refuseMs;
  }

  opened(key: string): void {
    const zap = this.zaps.get(key);
    if (zap) zap.active++;
  }

  closed(key: string, now = performance.now()): void {
    const zap = this.zaps.get(key);
    if (!zap) return;
    zap.active = Math.max(0, zap.active - 1);
    zap.lastSeen = now;
  }
}

async function handle(deps: StreamDeps, zaps: ZapWindows, socket: Socket): Promise<void> {
  const request = await readRequestHead(socket);
  if (!request) {
    deps.stats.record('relay', 'bad-request');
    socket.destroy();
    return;
  }
  socket.resume();
  const channel = deps.ctx.index.service(request.path.slice(1));
  if (!channel) {
    deps.stats.record('relay', 'bad-request');
    socket.end(OK_HEAD + BAD_REQUEST_BODY);
    return;
  }
  if (!channel.encrypted) {
    await serveLiveStream(deps, socket, channel, 'relay', { mode: 'none' }, request.query);
    return;
  }
  if (!zaps.admit(channel.ref, deps.ctx.faults().encryptedRefuseMs)) {
    deps.stats.record('relay', 'refused');
    socket.resetAndDestroy();
    return;
  }
  zaps.opened(channel.ref);
  try {
    await serveLiveStream(deps, socket, channel, 'relay', { mode: 'lead-in', ...LEAD_IN }, request.query);
  } finally {
    zaps.closed(channel.ref);
  }
}

export function relayConnectionHandler(deps: StreamDeps): (socket: Socket) => void {
  const zaps = new ZapWindows();
  return (socket) => {
    socket.on('error', () => undefined);
    handle(deps, zaps, socket).catch((error: unknown) => {
      deps.log(`relay connection failed: ${(error as Error).message}`);
      socket.destroy();
    });
  };
}
