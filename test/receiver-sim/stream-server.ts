/**
 * The port-8001 stream server: `GET /<sref>` → 200, then the live TS of the service (scrambled when the service
 * is encrypted — only the relay descrambles); `GET /file?file=<recording>` streams a recording once.
 */
import type { Socket } from 'node:net';
import { recordings } from './api-recordings.js';
import { authorized } from './faults.js';
import { loadFixture } from './fixtures.js';
import { BAD_REQUEST_BODY, OK_HEAD, readRequestHead, unauthorizedHead } from './stream-http.js';
import { pump } from './stream-pump.js';
import { serveLiveStream, type StreamDeps } from './stream-session.js';
import { recordingSource } from './recording-file.js';

/** Recordings do not need a tuner; their concurrent playbacks are bounded separately. */
const MAX_RECORDING_STREAMS = 8;

interface RecordingSlots {
  active: number;
}

async function serveRecording(
  deps: StreamDeps,
  slots: RecordingSlots,
  socket: Socket,
  file: string,
): Promise<void> {
  const recording = recordings(deps.ctx).find((candidate) => candidate.filename === file);
  socket.write(OK_HEAD);
  if (!recording || slots.active >= MAX_RECORDING_STREAMS) {
    deps.stats.record('stream', 'bad-request');
    socket.end(BAD_REQUEST_BODY);
    return;
  }
  deps.stats.record('stream', 'ok');
  slots.active++;
  try {
    const fixture = await loadFixture(recording.fixture, deps.fixtureDir);
    const source = recordingSource(recording, fixture);
    await pump(socket, source, {
      speed: 0,
      durationSec: fixture.loopSeconds,
      stallDropMs: deps.ctx.faults().stallDropMs,
      signal: deps.signal,
      onBytes: (count) => deps.stats.streamBytes(count),
    });
  } finally {
    slots.active--;
  }
}

async function handle(deps: StreamDeps, slots: RecordingSlots, socket: Socket): Promise<void> {
  const request = await readRequestHead(socket);
  if (!request) {
    deps.stats.record('stream', 'bad-request');
    socket.destroy();
    return;
  }
  socket.resume();
  if (!authorized(request.headers.get('authorization'), deps.ctx.faults().auth)) {
    deps.stats.record('stream', 'unauthorized');
    socket.end(unauthorizedHead('streamserver'));
    return;
  }
  if (request.path === '/file') {
    await serveRecording(deps, slots, socket, request.query.get('file') ?? '');
    return;
  }
  const channel = deps.ctx.index.service(request.path.slice(1));
  if (!channel) {
    deps.stats.record('stream', 'bad-request');
    socket.end(OK_HEAD + BAD_REQUEST_BODY);
    return;
  }
  await serveLiveStream(
    deps,
    socket,
    channel,
    'stream',
    channel.encrypted ? { mode: 'all' } : { mode: 'none' },
    request.query,
  );
}

export function streamConnectionHandler(deps: StreamDeps): (socket: Socket) => void {
  const slots: RecordingSlots = { active: 0 };
  return (socket) => {
    socket.on('error', () => undefined); // resets and EPIPE from departing readers are normal
    handle(deps, slots, socket).catch((error: unknown) => {
      deps.log(`stream connection failed: ${(error as Error).message}`);
      socket.destroy();
    });
  };
}
