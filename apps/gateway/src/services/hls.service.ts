import { gzipSync } from 'node:zlib';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import {
  E2gateError,
  errorMessage,
  ErrorCode,
  VIEWER_TOUCH_INTERVAL_MS,
  type HlsIndex,
  type HlsProfile,
} from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { entityTagsOf } from '../http/entity-tag.js';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { HlsStoreRepository } from '../repositories/hls-store.repository.js';
import { TranscoderRepository } from '../repositories/transcoder.repository.js';
import { CredentialsService } from './credentials.service.js';
import { HlsLinks, type HlsLink } from './hls-links.js';
import { renderMediaPlaylist, renderMultivariant } from './hls-playlists.js';
import { SegmentCache } from './segment-cache.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';

/** A viewer who polled a playlist this recently is watching (players poll about once per target duration). */
const VIEWER_ACTIVE_MS = 10_000;
/** An index read this recently is used without asking the KV again (segment events make it stale sooner). */
const INDEX_MAX_AGE_MS = 1_000;
/** While the first segment of a new session is awaited, the index is read again this often. */
const START_POLL_MS = 250;
/** Sessions followed per replica (viewer tallies, cached indexes, rendered playlists). */
const MAX_TRACKED_SESSIONS = 1_000;

export interface RenderedPlaylist {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

interface Tracked {
  index: HlsIndex | null;
  fetchedAt: number;
  stale: boolean;
  loading: Promise<HlsIndex | null> | null;
  viewers: Map<string, number>;
  /** Rendered media playlists by rendition, valid for the newest segment they list. */
  rendered: Map<string, { newest: number; playlist: RenderedPlaylist }>;
}

/**
 * Browser HLS (`/hls/<channel>/…`): opens or joins the channel's HLS session on the transcoder service, holds the
 * first answer until the session has a segment, renders playlists from the session's index with per-viewer
 * capability links, serves segments through a bounded cache (one Object Store read per segment per replica), and
 * reports the viewers who keep polling, so that a channel nobody watches closes.
 */
@Injectable()
export class HlsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(HlsService.name);
  private readonly tracked = new Map<string, Tracked>();
  private readonly cache: SegmentCache;
  private readonly waiters = new Map<string, Set<() => void>>();
  private touchTimer: NodeJS.Timeout | null = null;
  private linksCache: HlsLinks | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly follower: SnapshotFollowerService,
    private readonly transcoder: TranscoderRepository,
    private readonly store: HlsStoreRepository,
    private readonly credentials: CredentialsService,
    private readonly clock: ClockRepository,
    private readonly metrics: GatewayMetrics,
  ) {
    this.cache = new SegmentCache(config.hls.cacheBytes);
  }

  async onModuleInit(): Promise<void> {
    await this.store.onSegment((event) => {
      const tracked = this.tracked.get(event.sessionId);
      if (tracked) tracked.stale = true;
      for (const wake of this.waiters.get(event.sessionId) ?? []) wake();
    });
    this.touchTimer = setInterval(() => this.reportViewers(), VIEWER_TOUCH_INTERVAL_MS);
  }

  beforeApplicationShutdown(): void {
    if (this.touchTimer) clearInterval(this.touchTimer);
  }

  /** The multivariant playlist of a channel for a new viewer, once its session has a first segment. */
  async open(channelId: string, profile: HlsProfile | undefined, requestId: string): Promise<string> {
    const { channel } = this.follower.requireChannel(channelId);
    const session = await this.transcoder.openHlsSession(
      channel.id,
      profile ?? this.config.hls.profile,
      requestId,
    );
    const index = await this.firstSegment(session.sessionId);
    const { base, viewer } = this.links.issue(session.sessionId, this.clock.nowMs());
    this.seen(session.sessionId, viewer);
    return renderMultivariant(index, base);
  }

  /** A rendition's media playlist (the timeshift window); polling it counts the viewer as watching. */
  mediaPlaylist(link: HlsLink, rendition: string): RenderedPlaylist | Promise<RenderedPlaylist> {
    this.links.verify(link, this.clock.nowMs());
    // Every viewer asks about once a second and the index rarely changes in between: answered without a promise
    // while the cached index is fresh.
    const cached = this.cachedIndex(link.sessionId);
    if (cached) return this.rendered(link, rendition, cached);
    return this.index(link.sessionId).then((index) => {
      if (!index) throw gone(link.sessionId);
      return this.rendered(link, rendition, index);
    });
  }

  private rendered(link: HlsLink, rendition: string, index: HlsIndex): RenderedPlaylist {
    this.seen(link.sessionId, link.viewer);
    const tracked = this.track(link.sessionId);
    const newest = index.segments.at(-1)?.seq ?? -1;
    const cached = tracked.rendered.get(rendition);
    if (cached && cached.newest === newest) return cached.playlist;
    const text = renderMediaPlaylist(index, rendition);
    if (text === null) throw new E2gateError(ErrorCode.NotFound, `no rendition ${JSON.stringify(rendition)}`);
    const body = Buffer.from(text);
    const playlist = { body, gzip: gzipSync(body), etag: entityTagsOf(body).etag };
    tracked.rendered.set(rendition, { newest, playlist });
    return playlist;
  }

  /** One segment of a rendition; 404 once it left the timeshift window. */
  async segment(link: HlsLink, rendition: string, sequence: number): Promise<Uint8Array> {
    this.links.verify(link, this.clock.nowMs());
    const key = `${link.sessionId}/${rendition}/${sequence}`;
    const bytes = await this.cache.get(key, () => this.read(link.sessionId, rendition, sequence));
    if (!bytes)
      throw new E2gateError(ErrorCode.NotFound, `segment ${sequence} of ${rendition} is not stored`);
    this.metrics.hlsBytesOut(bytes.length);
    return bytes;
  }

  /** Viewers of this replica who polled a playlist lately (all sessions). */
  viewerCount(): number {
    let viewers = 0;
    for (const tracked of this.tracked.values()) viewers += tracked.viewers.size;
    return viewers;
  }

  segmentCacheBytes(): number {
    return this.cache.size;
  }

  private async read(sessionId: string, rendition: string, sequence: number): Promise<Uint8Array | null> {
    const bytes = await this.store.part(sessionId, rendition, sequence);
    this.metrics.hlsSegmentRead(bytes ? 'stored' : 'missing');
    return bytes;
  }

  private get links(): HlsLinks {
    return (this.linksCache ??= new HlsLinks(this.credentials.signer, this.config.hls.linkTtlMs));
  }

  /** Waits (bounded) until a new session has listed its first segment. */
  private async firstSegment(sessionId: string): Promise<HlsIndex> {
    const deadline = this.clock.monotonicMs() + this.config.hls.startTimeoutMs;
    for (;;) {
      const index = await this.index(sessionId, true);
      if (index && index.segments.length > 0) return index;
      const left = deadline - this.clock.monotonicMs();
      if (left <= 0) {
        throw new E2gateError(ErrorCode.Timeout, 'the channel did not produce its first segment in time');
      }
      await this.nextSegmentOf(sessionId, Math.min(left, START_POLL_MS));
    }
  }

  private nextSegmentOf(sessionId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters.get(sessionId) ?? new Set<() => void>();
      this.waiters.set(sessionId, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.waiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
  }

  /** The session's index: cached, read again after a segment event or `INDEX_MAX_AGE_MS`; one read at a time. */
  private async index(sessionId: string, fresh = false): Promise<HlsIndex | null> {
    const cached = fresh ? null : this.cachedIndex(sessionId);
    if (cached) return cached;
    const tracked = this.track(sessionId);
    tracked.loading ??= this.store
      .index(sessionId)
      .then((index) => {
        tracked.index = index;
        tracked.fetchedAt = this.clock.monotonicMs();
        tracked.stale = false;
        return index;
      })
      .finally(() => (tracked.loading = null));
    return tracked.loading;
  }

  /** The session's index while it is fresh (no segment event since, read less than `INDEX_MAX_AGE_MS` ago). */
  private cachedIndex(sessionId: string): HlsIndex | null {
    const tracked = this.tracked.get(sessionId);
    if (!tracked?.index || tracked.stale) return null;
    return this.clock.monotonicMs() - tracked.fetchedAt < INDEX_MAX_AGE_MS ? tracked.index : null;
  }

  private track(sessionId: string): Tracked {
    let tracked = this.tracked.get(sessionId);
    if (!tracked) {
      if (this.tracked.size >= MAX_TRACKED_SESSIONS) this.forgetUnwatched();
      if (this.tracked.size >= MAX_TRACKED_SESSIONS) {
        throw new E2gateError(
          ErrorCode.Capacity,
          `this gateway follows ${this.tracked.size} HLS sessions already`,
          {
            retryAfterSeconds: 15,
          },
        );
      }
      tracked = {
        index: null,
        fetchedAt: 0,
        stale: true,
        loading: null,
        viewers: new Map(),
        rendered: new Map(),
      };
      this.tracked.set(sessionId, tracked);
    }
    return tracked;
  }

  private seen(sessionId: string, viewer: string): void {
    const tracked = this.track(sessionId);
    const first = tracked.viewers.size === 0;
    tracked.viewers.set(viewer, this.clock.monotonicMs());
    if (first) this.touch(sessionId, tracked.viewers.size); // a new session learns of its first viewer at once
  }

  /** Every two seconds: each session's viewers who polled lately; a session nobody polls any more is forgotten. */
  private reportViewers(): void {
    const now = this.clock.monotonicMs();
    for (const [sessionId, tracked] of this.tracked) {
      for (const [viewer, at] of tracked.viewers)
        if (now - at > VIEWER_ACTIVE_MS) tracked.viewers.delete(viewer);
      this.touch(sessionId, tracked.viewers.size);
    }
    this.forgetUnwatched();
  }

  private forgetUnwatched(): void {
    for (const [sessionId, tracked] of this.tracked) {
      if (tracked.viewers.size > 0) continue;
      this.tracked.delete(sessionId);
      this.cache.forget(`${sessionId}/`);
    }
  }

  private touch(sessionId: string, viewers: number): void {
    this.transcoder
      .touch(sessionId, viewers)
      .catch((error: unknown) =>
        this.logger.warn(`viewer count of ${sessionId} not sent: ${errorMessage(error)}`),
      );
  }
}

function gone(sessionId: string): E2gateError {
  return new E2gateError(ErrorCode.NotFound, `session ${sessionId} has ended: open the channel again`);
}
