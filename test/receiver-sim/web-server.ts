/**
 * The web port (OpenWebIF on :80): auth, latency, hangs, injected errors, malformed JSON, gzip and Latin-1 bytes
 * around the handlers of routes.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { BoxFailure, type BoxContext, type WebReply, type WebRequest } from './box-context.js';
import { handleControl, type SimControl } from './control.js';
import { FaultDice, authorized } from './faults.js';
import { encodeBody, pyDumps } from './py-json.js';
import { serveRecordingFile } from './recording-file.js';
import { findRoute, type Route } from './routes.js';
import type { SimOutcome, StatsRecorder } from './stats.js';

const gzipAsync = promisify(gzip);

const SERVER_HEADER = 'TwistedWeb/22.10.0';
const NOT_FOUND_HTML =
  "<html><head><title>OpenWebif</title></head><body><h1>Error 404: Not found</h1><br>The requested page doesn't exist.</body></html>";
const PICON_NOT_FOUND_HTML =
  '<html>\n  <head><title>404 - No Such Resource</title></head>\n  <body>\n    <h1>No Such Resource</h1>\n    <p>File not found.</p>\n  </body>\n</html>\n';
const UNAUTHORIZED_HTML =
  '<html><head><title>401 - Unauthorized</title></head><body><h1>Unauthorized</h1></body></html>';

/** Share of the JSON text kept when an endpoint is set to answer malformed JSON. */
const MALFORMED_KEEP = 0.6;

export interface WebServerDeps {
  ctx: BoxContext;
  control: SimControl;
  stats: StatsRecorder;
  dice: FaultDice;
  /** Resolves after `ms`, or rejects when the simulator closes. */
  sleep(ms: number): Promise<void>;
  /** Keeps the request open without answering; the simulator destroys it after hangMs or on close. */
  hang(res: ServerResponse): void;
  /** Where recordings' fixtures are cached (`/file`). */
  fixtureDir?: string;
}

function traceback(exception: string): string {
  return (
    'Traceback (most recent call last):\n' +
    '  File "/usr/lib/python3.12/site-packages/twisted/web/server.py", line 227, in process\n' +
    '    self.render(resrc)\n' +
    `RuntimeError: ${exception}`
  );
}

function errorReply(res: ServerResponse, request: WebRequest, exception: string): void {
  if (request.path.startsWith('/api/')) {
    const body = pyDumps(
      { result: false, request: request.path, exception },
      { indent: null, ensureAscii: true },
    );
    res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8', Server: SERVER_HEADER });
    res.end(body);
    return;
  }
  res.writeHead(500, { 'Content-Type': 'text/html', Server: SERVER_HEADER });
  res.end(
    `<html><head><title>web.Server Traceback (most recent call last)</title></head><body><b>web.Server Traceback (most recent call last):</b>\n\n<pre>${exception}</pre></body></html>`,
  );
}

async function writeReply(
  deps: WebServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  request: WebRequest,
  reply: WebReply,
): Promise<SimOutcome> {
  const faults = deps.ctx.faults();
  const headers: Record<string, string> = { Server: SERVER_HEADER };
  let body: Buffer;
  let outcome: SimOutcome = 'ok';
  switch (reply.kind) {
    case 'json': {
      let text = faults.nestedJson.includes(route.name)
        ? nestedArray(faults.nestedJsonBytes)
        : pyDumps(reply.value, { indent: 1, ensureAscii: !faults.latin1 });
      if (faults.nestedJson.includes(route.name)) outcome = 'malformed';
      else if (faults.malformedJson.includes(route.name)) {
        text = text.slice(0, Math.max(1, Math.floor(text.length * MALFORMED_KEEP)));
        outcome = 'malformed';
      }
      headers['Content-Type'] = 'application/json; charset=utf-8';
      body = encodeBody(text, faults.latin1);
      break;
    }
    case 'xml':
      headers['Content-Type'] = 'text/xml';
      body = encodeBody(reply.text, faults.latin1);
      break;
    case 'text':
      Object.assign(headers, reply.headers ?? {}, { 'Content-Type': reply.contentType });
      body = encodeBody(reply.text, faults.latin1);
      break;
    case 'png':
      headers['Content-Type'] = 'image/png';
      body = reply.body;
      break;
    case 'not-found':
      res.writeHead(404, { 'Content-Type': 'text/html', Server: SERVER_HEADER });
      res.end(route.endpoint === '/picon' ? PICON_NOT_FOUND_HTML : NOT_FOUND_HTML);
      return 'not-found';
  }
  if (request.path.startsWith('/api/') && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    body = await gzipAsync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(body);
  return outcome;
}

/** `[[[…]]]`: `bytes / 2` levels of arrays, the shape that exhausts a naive parser's memory and stack. */
function nestedArray(bytes: number): string {
  const depth = Math.max(1, Math.floor(bytes / 2));
  return '['.repeat(depth) + ']'.repeat(depth);
}

function toRequest(req: IncomingMessage, url: URL): WebRequest {
  const host = req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}`;
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? host);
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    hostname,
    headers: req.headers,
  };
}

async function serve(deps: WebServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://receiver');
  if (await handleControl(deps.control, req, res, url.pathname)) return;
  const request = toRequest(req, url);
  const route = findRoute(request.path);
  const endpoint = route?.endpoint ?? 'unknown';
  const record = (outcome: SimOutcome): void => deps.stats.record(endpoint, outcome);
  const faults = deps.ctx.faults();

  if (!authorized(req.headers.authorization, faults.auth)) {
    res.writeHead(401, {
      'Content-Type': 'text/html',
      'WWW-Authenticate': 'Basic realm="OpenWebif"',
      Server: SERVER_HEADER,
    });
    res.end(UNAUTHORIZED_HTML);
    return record('unauthorized');
  }
  let delay = deps.dice.between(faults.latencyMs);
  if (route?.epg) delay += faults.slowEpgMs;
  if (route?.cost) delay += route.cost(deps.ctx, request);
  if (delay > 0) await deps.sleep(delay);

  if (deps.dice.hit(faults.timeoutRate)) {
    deps.hang(res);
    return record('timeout');
  }
  if (deps.dice.hit(faults.errorRate)) {
    errorReply(res, request, traceback('simulated receiver failure (errorRate)'));
    return record('error');
  }
  if (request.path === '/file') {
    const file = request.query.get('file') ?? '';
    return deps.stats.record('/file', await serveRecordingFile(deps, req, res, file));
  }
  if (!route) {
    res.writeHead(404, { 'Content-Type': 'text/html', Server: SERVER_HEADER });
    res.end(NOT_FOUND_HTML);
    return record('not-found');
  }
  let reply: WebReply;
  try {
    reply = route.handle(deps.ctx, request);
  } catch (error) {
    if (!(error instanceof BoxFailure)) throw error;
    errorReply(res, request, error.exception);
    return record('failed');
  }
  record(await writeReply(deps, req, res, route, request, reply));
}

/** The request listener of the web port. Unexpected errors answer 500 and never crash the process. */
export function webRequestListener(deps: WebServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(deps, req, res).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'SIM_CLOSED') {
        res.destroy();
        return;
      }
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`receiver simulator error: ${(error as Error).message}`);
      } else {
        res.destroy();
      }
    });
  };
}
