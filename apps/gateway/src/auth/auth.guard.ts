import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { ErrorCode, HttpEdgeErrorCode } from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import { pathOf, queryValue } from '../http/request-context.js';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import type { WebSessionRecord } from '../repositories/web-session-store.repository.js';
import { CredentialsService } from '../services/credentials.service.js';
import { WebSessionsService, type ResolvedWebSession } from '../services/web-sessions.service.js';
import { sessionCookieOf } from '../web/session-cookie.js';
import { ACCESS_POLICY, PUBLIC_POLICY, type RoutePolicy } from './access-policy.js';
import type { PresentedCredentials } from './authenticator.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Admin-only for a route that forgot to declare its policy: fail closed. */
const UNDECLARED: RoutePolicy = { scope: 'admin', queryToken: false, signed: false, deviceKey: false };

/**
 * Global guard: applies each route's access policy. A client that keeps presenting bad credentials is answered
 * 429 (with `Retry-After`) before its next credential is even checked.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly webSessions: WebSessionsService,
    private readonly clock: ClockRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const policy = this.policyOf(context);
    if (policy.scope === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const nowMs = this.clock.nowMs();
    const limiter = this.credentials.authFailures;
    const wait = limiter.retryAfter(request.ip, nowMs);
    if (wait > 0) this.tooManyFailures(wait);
    const session = await this.webSessionOf(request);
    const decision = this.credentials.authenticator.decide(
      policy,
      { ...presented(request), ...(session ? { session: session.principal } : {}) },
      Math.floor(nowMs / 1000),
    );
    if (decision.ok) {
      if (session && decision.principal?.kind === 'session') this.checkCsrf(request, session.record);
      if (decision.principal) request.principal = decision.principal;
      return true;
    }
    this.metrics.authFailure(decision.code);
    if (decision.badCredential) {
      const blocked = limiter.recordFailure(request.ip, nowMs);
      if (blocked > 0) this.tooManyFailures(blocked);
    }
    const headers: Record<string, string> =
      decision.code === HttpEdgeErrorCode.Forbidden ? {} : { 'www-authenticate': 'Bearer realm="e2gate"' };
    throw new GatewayHttpError(decision.code, decision.message, headers);
  }

  /** A bearer token wins over the cookie: an API client's explicit credential is the one it meant. */
  private async webSessionOf(request: FastifyRequest): Promise<ResolvedWebSession | null> {
    if (request.headers.authorization !== undefined) return null;
    const value = sessionCookieOf(request.headers.cookie);
    return value === undefined ? null : this.webSessions.resolve(value);
  }

  /**
   * The cookie goes with every request the browser makes, so a state-changing one must also carry the session's
   * CSRF token, which only pages of this origin can read (`GET /api/v1/auth/session`).
   */
  private checkCsrf(request: FastifyRequest, record: WebSessionRecord): void {
    if (SAFE_METHODS.has(request.method)) return;
    const header = request.headers['x-csrf-token'];
    if (this.webSessions.csrfMatches(record, typeof header === 'string' ? header : undefined)) return;
    this.metrics.authFailure(HttpEdgeErrorCode.CsrfRejected);
    throw new GatewayHttpError(
      HttpEdgeErrorCode.CsrfRejected,
      'signed in by cookie: this call needs the X-CSRF-Token header of the session',
    );
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    if (context.getClass() === PrometheusController) {
      if (this.config.metricsPort !== 0) {
        throw new GatewayHttpError(
          ErrorCode.NotFound,
          `metrics are served on port ${this.config.metricsPort}`,
        );
      }
      return PUBLIC_POLICY;
    }
    return (
      this.reflector.getAllAndOverride<RoutePolicy | undefined>(ACCESS_POLICY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? UNDECLARED
    );
  }

  private tooManyFailures(retryAfter: number): never {
    this.metrics.throttledRequest('auth');
    throw new GatewayHttpError(
      HttpEdgeErrorCode.RateLimited,
      'too many failed authentications; try again later',
      {
        'retry-after': String(retryAfter),
      },
    );
  }
}

function presented(request: FastifyRequest): PresentedCredentials {
  const params = request.params as Record<string, unknown> | undefined;
  const deviceKey = params?.['key'];
  const authorization = request.headers.authorization;
  return {
    path: pathOf(request),
    ...(authorization === undefined ? {} : { authorization }),
    ...optional('queryToken', queryValue(request, 'token')),
    ...optional('sig', queryValue(request, 'sig')),
    ...optional('exp', queryValue(request, 'exp')),
    ...optional('deviceKey', typeof deviceKey === 'string' ? deviceKey : undefined),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
