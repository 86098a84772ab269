/**
 * `GET /file?file=<path>` on the web port: a recording's bytes as OpenWebIF's file controller serves them (Twisted's
 * static file: `Accept-Ranges: bytes`, one range per request, `206` with `Content-Range`, `416` past the end). A
 * recording's content is its channel's fixture, once through the live source (made once per file, then cached).
 * Fault `fileDropAfterBytes` resets every response after that many bytes, so a reader must resume with `Range`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { recordings, type SimRecording } from './api-recordings.js';
import type { BoxContext } from './box-context.js';
import { loadFixture } from './fixtures.js';
import type { TsFixture } from './ts/fixture.js';
import { LiveTsSource } from './ts/live-source.js';

const CHUNK = 64 * 1024;
const MAX_CACHED_FILES = 8;

export interface RecordingFileDeps {
  ctx: BoxContext;
  fixtureDir?: string;
}

const cache = new Map<string, Promise<Buffer>>();

/** A recording's transport stream: its channel's fixture from the start, one service, in the clear. */
export function recordingSource(recording: SimRecording, fixture: TsFixture): LiveTsSource {
  return new LiveTsSource(fixture, {
    sid: recording.channel.sid,
    transportStreamId: recording.channel.tsid,
    neighbours: [],
    startSeconds: 0,
    scrambling: { mode: 'none' },
    seed: 1,
  });
}

async function content(recording: SimRecording, fixtureDir: string | undefined): Promise<Buffer> {
  const fixture = await loadFixture(recording.fixture, fixtureDir);
  const source = recordingSource(recording, fixture);
  const chunks: Buffer[] = [];
  while (source.nextDue() < fixture.loopSeconds) chunks.push(source.read(1024, fixture.loopSeconds));
  return Buffer.concat(chunks);
}

function bytesOf(recording: SimRecording, fixtureDir: string | undefined): Promise<Buffer> {
  let bytes = cache.get(recording.filename);
  if (!bytes) {
    if (cache.size >= MAX_CACHED_FILES) cache.delete(cache.keys().next().value!);
    bytes = content(recording, fixtureDir);
    cache.set(recording.filename, bytes);
  }
  return bytes;
}

/** `bytes=a-`, `bytes=a-b` or `bytes=-n` against `size`; null for no (or an unusable) header, 'unsatisfiable'. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start >= size || end < start ? 'unsatisfiable' : { start, end };
}

export async function serveRecordingFile(
  deps: RecordingFileDeps,
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
): Promise<'ok' | 'not-found' | 'dropped'> {
  const recording = recordings(deps.ctx).find((candidate) => candidate.filename === file);
  if (!recording) {
    res.writeHead(404, { 'Content-Type': 'text/html' });
    res.end('<html><body>File not found</body></html>');
    return 'not-found';
  }
  const bytes = await bytesOf(recording, deps.fixtureDir);
  const range = parseRange(req.headers.range, bytes.length);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
    res.end();
    return 'ok';
  }
  const { start, end } = range ?? { start: 0, end: bytes.length - 1 };
  res.writeHead(range ? 206 : 200, {
    'Content-Type': 'video/mp2t',
    'Accept-Ranges': 'bytes',
    'Content-Length': String(end - start + 1),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}),
  });
  const dropAfter = deps.ctx.faults().fileDropAfterBytes;
  let sent = 0;
  for (let offset = start; offset <= end && !res.destroyed; offset += CHUNK) {
    const piece = bytes.subarray(offset, Math.min(offset + CHUNK, end + 1));
    if (dropAfter > 0 && sent + piece.length > dropAfter) {
      // Exactly `dropAfter` bytes reach the reader, then the connection is closed without the rest.
      await new Promise((resolve) => res.write(piece.subarray(0, dropAfter - sent), resolve));
      res.socket?.destroy();
      return 'dropped';
    }
    sent += piece.length;
    if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
  return 'ok';
}
