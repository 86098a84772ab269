import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The web app's pages: each answers the app shell (`index.html`); the app routes on the client (history API). */
export const WEB_APP_PAGES = [
  '/',
  '/signin',
  '/channels',
  '/watch/:channelId',
  '/guide',
  '/recordings',
  '/status',
] as const;
const ASSETS = '/assets/';

/**
 * No inline script or style, nothing from another origin. `blob:` for media and workers: hls.js feeds the video
 * through MediaSource (a blob URL) and runs its demuxer in a worker made from a blob.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest']);

interface WebFile {
  type: string;
  etag: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

export interface WebApp {
  dir: string;
  index: WebFile;
  /** `/assets/<name>` → file (names carry a content hash: cached for a year). */
  assets: Map<string, WebFile>;
}

export function isWebAppRoute(url: string): boolean {
  return url.startsWith(ASSETS) || (WEB_APP_PAGES as readonly string[]).includes(url);
}

/** The built app (`npm run build:web` output), from `dir` or the repository's `apps/web/dist`. Null: not built. */
export async function loadWebApp(dir?: string): Promise<WebApp | null> {
  const root = dir ?? defaultWebDir();
  if (!root || !existsSync(join(root, 'index.html'))) return null;
  const assets = new Map<string, WebFile>();
  const assetDir = join(root, 'assets');
  const names = existsSync(assetDir) ? await readdir(assetDir) : [];
  for (const name of names) {
    if (name.endsWith('.br') || name.endsWith('.gz')) continue;
    assets.set(`${ASSETS}${name}`, await loadFile(join(assetDir, name)));
  }
  return { dir: root, index: await loadFile(join(root, 'index.html')), assets };
}

/** Registers the app shell's pages and its assets: public (the data behind them is not), compressed, cached. */
export function serveWebApp(fastify: FastifyInstance, app: WebApp | null): void {
  for (const page of WEB_APP_PAGES) {
    fastify.get(page, (request, reply) => {
      if (!app) return notBuilt(reply);
      void reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache');
      return send(request, reply, app.index);
    });
  }
  fastify.get(`${ASSETS}*`, (request, reply) => {
    const file = app?.assets.get(request.url.split('?')[0] as string);
    if (!file) {
      return reply.code(404).type('text/plain; charset=utf-8').send('no such asset');
    }
    void reply.header('cache-control', 'public, max-age=31536000, immutable');
    return send(request, reply, file);
  });
}

function send(request: FastifyRequest, reply: FastifyReply, file: WebFile): FastifyReply {
  void reply.header('etag', file.etag).header('vary', 'accept-encoding').type(file.type);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (file.br && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(file.br);
  if (file.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.identity);
}

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .type('text/plain; charset=utf-8')
    .send('The web app is not built: run `npm run setup` (or `npm run build:web`). The API is at /docs.');
}

/** Reads a file and its `.br`/`.gz` siblings written by the build; compresses here where the build did not. */
async function loadFile(path: string): Promise<WebFile> {
  const identity = await readFile(path);
  const extension = extname(path);
  const file: WebFile = {
    type: TYPES[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
    identity,
  };
  if (!COMPRESSIBLE.has(extension) || identity.length < 512) return file;
  file.br =
    (await readFile(`${path}.br`).catch(() => null)) ??
    brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
  file.gzip = (await readFile(`${path}.gz`).catch(() => null)) ?? gzipSync(identity);
  return file;
}

/** `apps/web/dist` of the checkout this module runs from (from `apps/gateway/src/web` or its build in `dist/`). */
function defaultWebDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(dir, 'apps', 'web', 'dist');
    if (existsSync(join(dir, 'apps', 'web', 'index.html'))) {
      return resolve(candidate);
    }
    dir = dirname(dir);
  }
  return undefined;
}
