import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { appVersion } from '../app-version.js';
import { expiryBucket } from '../auth/url-signer.js';
import { lineupDocument } from '../hdhomerun/hdhomerun-documents.js';
import { renderPlaylist } from '../rendering/m3u-renderer.js';
import { renderXmltv } from '../rendering/xmltv-renderer.js';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { CredentialsService } from './credentials.service.js';
import { LinkBuilder } from './link-builder.js';
import { RenderCache, type Rendered } from './render-cache.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';
import type { SnapshotView } from './snapshot-view.js';

const gzipAsync = promisify(gzip);
const CHUNKS_BETWEEN_YIELDS = 64;

export interface DocumentRequest {
  baseUrl: string;
  /** Whether stream URLs in the document carry signatures (the caller may stream). */
  signStreams: boolean;
}

/**
 * Playlist, guide and lineup, rendered once per (snapshot version, base URL, signing variant, expiry bucket) and
 * served from memory afterwards. A new snapshot version empties the cache.
 */
@Injectable()
export class DocumentsService {
  private readonly logger = new Logger(DocumentsService.name);
  private readonly cache: RenderCache;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly follower: SnapshotFollowerService,
    private readonly credentials: CredentialsService,
    private readonly clock: ClockRepository,
    private readonly metrics: GatewayMetrics,
  ) {
    this.cache = new RenderCache(config.renderCacheBytes);
    follower.onInstall(() => this.cache.clear());
  }

  playlist(request: DocumentRequest, bouquetKey?: string): Promise<Rendered> {
    const view = this.requireSnapshot();
    const bouquet = bouquetKey === undefined ? undefined : view.bouquet(bouquetKey);
    if (bouquetKey !== undefined && !bouquet) {
      throw new E2gateError(ErrorCode.NotFound, `no bouquet ${JSON.stringify(bouquetKey)}`);
    }
    const exp = this.expiry();
    const key = ['m3u', view.version, request.baseUrl, request.signStreams, exp, bouquet?.id ?? ''].join('|');
    return this.cache.get(key, async () => {
      this.metrics.rendered('playlist');
      const links = this.links(request, exp);
      const text = renderPlaylist(view.snapshot, {
        idMode: this.config.guide.xmltvId,
        guideUrl: links.guide(),
        streamUrl: (channel) => links.stream(channel),
        logoUrl: (channel) => links.logo(channel),
        ...(bouquet ? { bouquet } : {}),
      });
      return this.finish('playlist', key, [text], 'audio/x-mpegurl; charset=utf-8', true);
    });
  }

  xmltv(baseUrl: string): Promise<Rendered> {
    const view = this.requireSnapshot();
    const exp = this.expiry();
    const key = ['xmltv', view.version, baseUrl, exp, this.config.guide.xmltvId, this.config.guide.lang].join(
      '|',
    );
    return this.cache.get(key, async () => {
      this.metrics.rendered('xmltv');
      const links = this.links({ baseUrl, signStreams: false }, exp);
      const chunks = renderXmltv(view.snapshot, {
        idMode: this.config.guide.xmltvId,
        lang: this.config.guide.lang,
        generator: `e2gate/${appVersion()}`,
        logoUrl: (channel) => links.logo(channel),
      });
      return this.finish('xmltv', key, chunks, 'application/xml; charset=utf-8', false);
    });
  }

  lineup(request: DocumentRequest): Promise<Rendered> {
    const view = this.requireSnapshot();
    const exp = this.expiry();
    const key = ['lineup', view.version, request.baseUrl, request.signStreams, exp].join('|');
    return this.cache.get(key, async () => {
      this.metrics.rendered('lineup');
      const links = this.links(request, exp);
      const entries = lineupDocument(view.snapshot.channels, (channel) => links.stream(channel));
      return this.finish('lineup', key, [JSON.stringify(entries)], 'application/json; charset=utf-8', true);
    });
  }

  /** Bytes (yielding to the event loop between chunks), gzip, ETag; identity kept only when asked to. */
  private async finish(
    document: string,
    key: string,
    chunks: Iterable<string>,
    contentType: string,
    keepIdentity: boolean,
  ): Promise<Rendered> {
    const started = this.clock.nowMs();
    const parts: Buffer[] = [];
    let count = 0;
    for (const chunk of chunks) {
      parts.push(Buffer.from(chunk, 'utf8'));
      if (++count % CHUNKS_BETWEEN_YIELDS === 0) await yieldToLoop();
    }
    const body = Buffer.concat(parts);
    parts.length = 0;
    const zipped = await gzipAsync(body);
    const tag = createHash('sha256').update(key).digest('base64url').slice(0, 27);
    this.logger.log(
      `rendered ${document} in ${this.clock.nowMs() - started} ms: ${body.length} bytes, ${zipped.length} gzipped`,
    );
    return {
      body: keepIdentity ? body : null,
      bodyLength: body.length,
      gzip: zipped,
      etag: `"${tag}"`,
      etagGzip: `"${tag}-gz"`,
      contentType,
    };
  }

  get cacheStats(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes };
  }

  private links(request: DocumentRequest, exp: number | null): LinkBuilder {
    return new LinkBuilder(request.baseUrl, this.credentials.signer, exp, request.signStreams);
  }

  private expiry(): number | null {
    return expiryBucket(this.clock.nowSeconds(), this.config.auth.signingTtlMs);
  }

  private requireSnapshot(): SnapshotView {
    const view = this.follower.current;
    if (!view)
      throw new E2gateError(ErrorCode.NoSnapshot, 'no catalog snapshot yet; the catalog is still refreshing');
    return view;
  }
}
