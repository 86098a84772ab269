import { type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { HttpEdgeErrorCode } from '@e2gate/contracts';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { ACCESS_POLICY, type RoutePolicy } from './access-policy.js';

export const Throttler = { Api: 'default', Refresh: 'refresh' } as const;
type ThrottlerName = (typeof Throttler)[keyof typeof Throttler];

/**
 * `@nestjs/throttler` with the gateway's rules: one API budget per client across all routes (not per route),
 * health and metrics never throttled, and 429s carrying `Retry-After`. Global, so it runs before authentication:
 * it enforces the API limit only.
 */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  /** The one named throttler this guard enforces; the others are another guard's. */
  protected readonly enforces: ThrottlerName = Throttler.Api;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly metrics: GatewayMetrics,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || context.getClass() === PrometheusController) return true;
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(ACCESS_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return policy?.scope === 'public';
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    return request.throttler.name === this.enforces ? super.handleRequest(request) : true;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const limiter = this.enforces === Throttler.Refresh ? 'refresh' : 'api';
    this.metrics.throttledRequest(limiter);
    throw new GatewayHttpError(
      HttpEdgeErrorCode.RateLimited,
      limiter === 'refresh' ? 'refresh requested too often; try again later' : 'too many requests; slow down',
      { 'retry-after': String(Math.max(1, detail.timeToBlockExpire)) },
    );
  }
}

/**
 * The refresh limit. A route guard, so it runs after the global guards: only callers the auth guard let through
 * (admins) spend the refresh budget. Anonymous and wrong-token attempts end at authentication, where wrong
 * secrets count against the auth-failure limit, and cannot lock an admin out of refreshing.
 */
@Injectable()
export class RefreshThrottlerGuard extends GatewayThrottlerGuard {
  protected override readonly enforces: ThrottlerName = Throttler.Refresh;
}

/** Puts a route under the (much tighter) refresh limit, in addition to the API limit. */
export const RefreshLimited = () => UseGuards(RefreshThrottlerGuard);
