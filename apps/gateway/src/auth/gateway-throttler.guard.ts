import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
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
const REFRESH_LIMITED = 'e2gate:refresh-limited';

/** Puts a route under the (much tighter) refresh limit, in addition to the API limit. */
export const RefreshLimited = () => SetMetadata(REFRESH_LIMITED, true);

/**
 * `@nestjs/throttler` with the gateway's rules: one API budget per client across all routes (not per route),
 * the refresh limit only where declared, health and metrics never throttled, and 429s carrying `Retry-After`.
 */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
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
    if (request.throttler.name === Throttler.Refresh) {
      const limited = this.reflector.getAllAndOverride<boolean | undefined>(REFRESH_LIMITED, [
        request.context.getHandler(),
        request.context.getClass(),
      ]);
      if (!limited) return true;
    }
    return super.handleRequest(request);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const refresh = this.reflector.getAllAndOverride<boolean | undefined>(REFRESH_LIMITED, [
      context.getHandler(),
      context.getClass(),
    ]);
    const limiter = refresh && detail.key.startsWith(`${Throttler.Refresh}:`) ? 'refresh' : 'api';
    this.metrics.throttledRequest(limiter);
    throw new GatewayHttpError(
      HttpEdgeErrorCode.RateLimited,
      limiter === 'refresh' ? 'refresh requested too often; try again later' : 'too many requests; slow down',
      { 'retry-after': String(Math.max(1, detail.timeToBlockExpire)) },
    );
  }
}
