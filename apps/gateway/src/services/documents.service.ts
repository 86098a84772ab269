import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { appVersion } from '@e2gate/observability';
import { expiryBucket } from '../auth/url-signer.js';
import { lineupDocument } from '../hdhomerun/hdhomerun-documents.js';
import { renderPlaylist } from '../rendering/m3u-renderer.js';
import { renderXmltv } from '../rendering/xmltv-renderer.js';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { CredentialsService } from './credentials.service.js';
import { encodeDocument } from './document-encoder.js';
import { LinkBuilder } from './link-builder.js';
import { RecentSet, RenderCache, type Rendered } from './render-cache.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';
import type { SnapshotView } from './snapshot-view.js';
import { LiveSettings, type ReloadableSettings } from './live-settings.js';

export interface DocumentRequest {
  baseUrl: string;
  /** Whether stream URLs in the document carry signatures (the caller may stream). */
  signStreams: boolean;
}

/**
 * Playlist, guide and lineup, rendered once per (snapshot version, base URL, signing variant, expiry bucket) and
 * served from memory afterwards. A new snapshot version empties the cache.
 *
 * Without `E2GATE_PUBLIC_URL` the base URL comes from the Host header, which any client chooses: only the
 * `E2GATE_RENDER_BASE_URLS` most recently used base URLs keep their documents per snapshot version, so cycling Host
 * values cannot pile up renderings (each eviction is counted and the first per version logged).
 */
@Injectable()
export class DocumentsService {
  private readonly logger = new Logger(DocumentsService.name);
  private readonly cache: RenderCache;
  private readonly baseUrls: RecentSet<string>;
  private warnedForVersion: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly follower: SnapshotFollowerService,
    private readonly credentials: CredentialsService,
    private readonly clock: ClockRepository,
    private readonly metrics: GatewayMetrics,
    private readonly live: LiveSettings,
  ) {
    this.cache = new RenderCache(config.renderCacheBytes, (entries) =>
      metrics.renderCacheEvicted('bytes', entries),
    );
    // Rendered documents carry signed links: a new signing key or TTL makes them stale (nothing else a reload
    // changes does; the guide is not rendered again for a new log level).
    const signingOf = ({ auth }: ReloadableSettings) => JSON.stringify([auth.signingKey, auth.signingTtlMs]);
    let signing = signingOf(live.current);
    live.onChange((settings) => {
      if (signingOf(settings) === signing) return;
      signing = signingOf(settings);
      this.cache.clear();
    });
    this.baseUrls = new RecentSet(config.renderBaseUrls);
    follower.onInstall(() => {
      this.cache.clear();
      this.baseUrls.clear();
    });
  }

  playlist(request: DocumentRequest, bouquetKey?: string): Promise<Rendered> {
    const view = this.requireSnapshot();
    const bouquet = bouquetKey === undefined ? undefined : view.bouquet(bouquetKey);
    if (bouquetKey !== undefined && !bouquet) {
      throw new E2gateError(ErrorCode.NotFound, `no bouquet ${JSON.stringify(bouquetKey)}`);
    }
    const exp = this.expiry();
    const key = ['m3u', view.version, request.baseUrl, request.signStreams, exp, bouquet?.id ?? ''].join('|');
    return this.cached(view, request.baseUrl, key, async () => {
      this.metrics.rendered('playlist');
      const links = this.links(request, exp);
      const text = renderPlaylist(view.snapshot, {
        idMode: this.config.guide.xmltvId,
        guideUrl: links.guide(),
        streamUrl: (channel) => links.stream(channel),
        logoUrl: (channel) => links.logo(channel),
        ...(bouquet ? { bouquet } : {}),
      });
      return this.finish('playlist', [text], 'audio/x-mpegurl; charset=utf-8', true);
    });
  }

  xmltv(baseUrl: string): Promise<Rendered> {
    const view = this.requireSnapshot();
    const exp = this.expiry();
    const key = ['xmltv', view.version, baseUrl, exp, this.config.guide.xmltvId, this.config.guide.lang].join(
      '|',
    );
    return this.cached(view, baseUrl, key, async () => {
      this.metrics.rendered('xmltv');
      const links = this.links({ baseUrl, signStreams: false }, exp);
      const chunks = renderXmltv(view, {
        idMode: this.config.guide.xmltvId,
        lang: this.config.guide.lang,
        generator: `e2gate/${appVersion()}`,
        logoUrl: (channel) => links.logo(channel),
      });
      return this.finish('xmltv', chunks, 'application/xml; charset=utf-8', false);
    });
  }

  lineup(request: DocumentRequest): Promise<Rendered> {
    const view = this.requireSnapshot();
    const exp = this.expiry();
    const key = ['lineup', view.version, request.baseUrl, request.signStreams, exp].join('|');
    return this.cached(view, request.baseUrl, key, async () => {
      this.metrics.rendered('lineup');
      const links = this.links(request, exp);
      const entries = lineupDocument(view.snapshot.channels, (channel) => links.stream(channel));
      return this.finish('lineup', [JSON.stringify(entries)], 'application/json; charset=utf-8', true);
    });
  }

  /**
   * The cached document for `key`, rendered on a miss. `baseUrl` becomes the most recently used one; when that
   * pushes another out of the `E2GATE_RENDER_BASE_URLS` bound, every document rendered for that one goes.
   */
  private cached(
    view: SnapshotView,
    baseUrl: string,
    key: string,
    render: () => Promise<Rendered>,
  ): Promise<Rendered> {
    const pushedOut = this.baseUrls.touch(baseUrl);
    if (pushedOut !== undefined) {
      this.metrics.renderCacheEvicted('base-url', this.cache.dropTag(pushedOut));
      if (this.warnedForVersion !== view.version) {
        this.warnedForVersion = view.version;
        this.logger.warn(
          `more than ${this.config.renderBaseUrls} distinct base URLs (Host values) asked for documents of ` +
            `snapshot ${view.version}: the least recently used one's are dropped and rendered again on demand ` +
            '(set E2GATE_PUBLIC_URL, or raise E2GATE_RENDER_BASE_URLS)',
        );
      }
    }
    return this.cache.get(key, render, baseUrl);
  }

  /**
   * Encodes the rendered pieces (gzip, ETags from the bytes, length); the identity bytes are kept only when asked
   * to — the guide's never exist whole.
   */
  private async finish(
    document: string,
    pieces: Iterable<string> | AsyncIterable<string>,
    contentType: string,
    keepIdentity: boolean,
  ): Promise<Rendered> {
    const started = this.clock.nowMs();
    const encoded = await encodeDocument(pieces, keepIdentity);
    this.logger.log(
      `rendered ${document} in ${this.clock.nowMs() - started} ms: ${encoded.bodyLength} bytes, ` +
        `${encoded.gzip.length} gzipped`,
    );
    return { ...encoded, contentType };
  }

  get cacheStats(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes };
  }

  private links(request: DocumentRequest, exp: number | null): LinkBuilder {
    return new LinkBuilder(request.baseUrl, this.credentials.signer, exp, request.signStreams);
  }

  private expiry(): number | null {
    return expiryBucket(this.clock.nowSeconds(), this.live.current.auth.signingTtlMs);
  }

  private requireSnapshot(): SnapshotView {
    const view = this.follower.current;
    if (!view)
      throw new E2gateError(ErrorCode.NoSnapshot, 'no catalog snapshot yet; the catalog is still refreshing');
    return view;
  }
}
