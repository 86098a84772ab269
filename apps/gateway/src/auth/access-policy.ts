import { SetMetadata } from '@nestjs/common';
import type { ApiScope } from '@e2gate/config';

/**
 * Who may call a route, and which credentials it accepts besides `Authorization: Bearer`:
 * - `queryToken`: `?token=` (routes players open by URL: playlist, guide, HDHomeRun, streams — not picons);
 * - `signed`: `?sig=…[&exp=…]`, an HMAC over scope + path written by the gateway into playlists;
 * - `deviceKey`: the `/hdhr/<key>/…` prefix that HDHomeRun clients keep in their BaseURL.
 */
export interface RoutePolicy {
  scope: ApiScope | 'public';
  queryToken: boolean;
  signed: boolean;
  deviceKey: boolean;
}

export const ACCESS_POLICY = 'e2gate:access-policy';

export const PUBLIC_POLICY: RoutePolicy = {
  scope: 'public',
  queryToken: false,
  signed: false,
  deviceKey: false,
};

/** Marks a route (or controller) as open to everyone: health, metrics, OpenAPI. */
export const Public = () => SetMetadata(ACCESS_POLICY, PUBLIC_POLICY);

/** The scope a route needs and the extra credential forms it accepts. */
export const Access = (scope: ApiScope, options: Partial<Omit<RoutePolicy, 'scope'>> = {}) =>
  SetMetadata(ACCESS_POLICY, {
    scope,
    queryToken: options.queryToken ?? false,
    signed: options.signed ?? false,
    deviceKey: options.deviceKey ?? false,
  } satisfies RoutePolicy);
