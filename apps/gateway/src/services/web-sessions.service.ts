import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { E2gateError, ErrorCode, HttpEdgeErrorCode } from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { bearerTokenOf } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import type { WebSessionDto } from '../dto/web-session.dto.js';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import {
  WebSessionStoreRepository,
  type WebSessionRecord,
} from '../repositories/web-session-store.repository.js';
import { isSessionValue } from '../web/session-cookie.js';
import { CredentialsService } from './credentials.service.js';
import { followKvWatch } from './kv-follower.js';
import { LiveSettings } from './live-settings.js';

export interface ResolvedWebSession {
  principal: Principal;
  record: WebSessionRecord;
}

/** A cookie this replica found nowhere is not looked up in NATS again for this long (bounds lookups of junk). */
const MISS_TTL_MS = 10_000;
const MISS_MAX = 1_000;

/**
 * Browsers signed in to the web app. A sign-in exchanges an API token for a random cookie value; NATS keeps only
 * the value's digest, with the token's name, a CSRF token and the expiry (the bucket's TTL). Every replica follows
 * the bucket, so a sign-out on one is seen by all; a session another replica made a moment ago and this one has
 * not seen yet is read from NATS. Scopes come from the token at every request: a removed token ends its sessions.
 */
@Injectable()
export class WebSessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebSessionsService.name);
  private readonly sessions = new Map<string, WebSessionRecord>();
  private readonly misses = new Map<string, number>();
  private readonly stop = new AbortController();
  private current: { stop(): void } | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly store: WebSessionStoreRepository,
    private readonly credentials: CredentialsService,
    private readonly clock: ClockRepository,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly live: LiveSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    this.current?.stop();
    await this.loop;
  }

  get ttlSeconds(): number {
    return Math.floor(this.config.web.sessionTtlMs / 1000);
  }

  /** Exchanges an API token for a new session; a wrong token counts towards the caller's failure limit. */
  async signIn(secret: string, ip: string): Promise<{ value: string; session: ResolvedWebSession }> {
    const nowMs = this.clock.nowMs();
    const limiter = this.credentials.authFailures;
    const wait = limiter.retryAfter(ip, nowMs);
    if (wait > 0) throw tooManyFailures(wait);
    const principal = this.credentials.tokenRegistry.lookup(secret);
    if (!principal) {
      const blocked = limiter.recordFailure(ip, nowMs);
      if (blocked > 0) throw tooManyFailures(blocked);
      throw new GatewayHttpError(HttpEdgeErrorCode.Unauthorized, 'invalid token');
    }
    if (this.sessions.size >= this.config.web.maxSessions) this.pruneExpired(nowMs);
    if (this.sessions.size >= this.config.web.maxSessions) {
      throw new E2gateError(
        ErrorCode.Unavailable,
        `${this.sessions.size} browsers are signed in (E2GATE_WEB_SESSIONS_MAX); sign one out first`,
      );
    }
    const value = randomBytes(32).toString('base64url');
    const record: WebSessionRecord = {
      tokenName: principal.name,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(nowMs + this.config.web.sessionTtlMs).toISOString(),
    };
    await this.store.create(keyOf(value), record);
    this.sessions.set(keyOf(value), record);
    return { value, session: { principal, record } };
  }

  /** The live session a cookie value stands for, or null (unknown, signed out, expired, token removed). */
  async resolve(value: string): Promise<ResolvedWebSession | null> {
    if (!isSessionValue(value)) return null;
    const key = keyOf(value);
    const record = this.sessions.get(key) ?? (await this.lookUp(key));
    if (!record || Date.parse(record.expiresAt) <= this.clock.nowMs()) return null;
    const principal = this.credentials.tokenRegistry.byName(record.tokenName);
    if (!principal) return null;
    return { principal: { ...principal, kind: 'session' }, record };
  }

  async signOut(value: string): Promise<void> {
    if (!isSessionValue(value)) return;
    const key = keyOf(value);
    this.sessions.delete(key);
    await this.store.remove(key);
  }

  /**
   * Who the caller is, for the web app: its session, else its bearer token, else the anonymous scopes, else nobody
   * (`none`: a 200, so that a page asking before sign-in logs no failed request).
   */
  async describe(cookie: string | undefined, authorization: string | undefined): Promise<WebSessionDto> {
    const session = cookie === undefined || authorization !== undefined ? null : await this.resolve(cookie);
    if (session) return view('session', session.principal, session.record);
    const bearer = authorization === undefined ? undefined : bearerTokenOf(authorization);
    const principal = bearer === undefined ? null : this.credentials.tokenRegistry.lookup(bearer);
    if (principal) return view('token', principal, null);
    const anonymous = authorization === undefined ? this.live.current.auth.anonymousScopes : [];
    return {
      kind: anonymous.length > 0 ? 'anonymous' : 'none',
      name: 'anonymous',
      scopes: [...anonymous],
      csrfToken: null,
      expiresAt: null,
    };
  }

  /** Whether `presented` is the session's CSRF token (compared in constant time). */
  csrfMatches(record: WebSessionRecord, presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const want = Buffer.from(record.csrfToken);
    const got = Buffer.from(presented);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** The bucket's TTL removes expired records without telling watchers (NATS 2.9), so they are pruned here. */
  private pruneExpired(nowMs: number): void {
    for (const [key, record] of this.sessions) {
      if (Date.parse(record.expiresAt) <= nowMs) this.sessions.delete(key);
    }
  }

  private async lookUp(key: string): Promise<WebSessionRecord | null> {
    const nowMs = this.clock.nowMs();
    const missedAt = this.misses.get(key);
    if (missedAt !== undefined && nowMs - missedAt < MISS_TTL_MS) return null;
    const record = await this.store.get(key).catch(() => null);
    if (record) {
      this.sessions.set(key, record);
      return record;
    }
    if (this.misses.size >= MISS_MAX) this.misses.delete(this.misses.keys().next().value as string);
    this.misses.set(key, nowMs);
    return null;
  }

  private follow(): Promise<void> {
    return followKvWatch({
      open: () => this.store.watch(),
      signal: this.stop.signal,
      setCurrent: (watch) => (this.current = watch),
      onError: (message) => this.logger.warn(`web session watch failed, retrying: ${message}`),
      onEntry: (change) => {
        if (change.record) {
          this.sessions.set(change.key, change.record);
          this.misses.delete(change.key);
        } else {
          this.sessions.delete(change.key);
        }
      },
    });
  }
}

function view(
  kind: 'session' | 'token',
  principal: Principal,
  record: WebSessionRecord | null,
): WebSessionDto {
  return {
    kind,
    name: principal.name,
    scopes: [...principal.scopes].sort(),
    csrfToken: record?.csrfToken ?? null,
    expiresAt: record?.expiresAt ?? null,
  };
}

function keyOf(value: string): string {
  return `s.${createHash('sha256').update(value).digest('hex')}`;
}

function tooManyFailures(retryAfter: number): GatewayHttpError {
  return new GatewayHttpError(
    HttpEdgeErrorCode.RateLimited,
    'too many failed authentications; try again later',
    { 'retry-after': String(retryAfter) },
  );
}
