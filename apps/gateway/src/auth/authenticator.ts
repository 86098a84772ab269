import type { ApiScope } from '@e2gate/config';
import { HttpEdgeErrorCode } from '@e2gate/contracts';
import type { RoutePolicy } from './access-policy.js';
import { effectiveScopes, type Principal } from './principal.js';
import type { TokenRegistry } from './token-registry.js';
import type { UrlSigner } from './url-signer.js';

/** Credentials as found on a request; absent ones are undefined. */
export interface PresentedCredentials {
  /** The raw `Authorization` header. */
  authorization?: string;
  queryToken?: string;
  sig?: string;
  exp?: string;
  /** The `<key>` of an `/hdhr/<key>/…` path. */
  deviceKey?: string;
  /** Request path without the query string (what signatures cover). */
  path: string;
  /** The web app's session, already resolved from its cookie (see WebSessionsService). */
  session?: Principal;
}

export type AuthDecision =
  | { ok: true; principal: Principal | null }
  | {
      ok: false;
      code: HttpEdgeErrorCode;
      message: string;
      /** A wrong secret or forged signature: counts towards the brute-force limit. */
      badCredential: boolean;
    };

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header; undefined when the header is anything else. */
export function bearerTokenOf(authorization: string): string | undefined {
  return BEARER.exec(authorization)?.[1];
}

/**
 * Decides whether a request may use a route. Fail-closed: without a valid credential the only way in is a scope
 * granted to anonymous callers by configuration. Pure apart from the clock value passed in.
 */
export class Authenticator {
  private readonly anonymous: Principal | null;

  constructor(
    private readonly tokens: TokenRegistry,
    private readonly signer: UrlSigner,
    anonymousScopes: readonly ApiScope[],
  ) {
    this.anonymous =
      anonymousScopes.length > 0
        ? { kind: 'anonymous', name: 'anonymous', scopes: effectiveScopes(anonymousScopes) }
        : null;
  }

  decide(policy: RoutePolicy, presented: PresentedCredentials, nowSeconds: number): AuthDecision {
    if (policy.scope === 'public') return { ok: true, principal: null };
    const identified = this.identify(policy, presented, nowSeconds);
    if (!identified.ok) return identified;
    const principal = this.withAnonymousScopes(identified.principal);
    if (!principal) return fail(HttpEdgeErrorCode.Unauthorized, 'authentication required', false);
    if (principal.scopes.has(policy.scope)) return { ok: true, principal };
    if (principal.kind === 'anonymous') {
      return fail(HttpEdgeErrorCode.Unauthorized, `authentication required (scope ${policy.scope})`, false);
    }
    return fail(HttpEdgeErrorCode.Forbidden, `${principal.name} lacks the ${policy.scope} scope`, false);
  }

  private identify(policy: RoutePolicy, presented: PresentedCredentials, nowSeconds: number): AuthDecision {
    if (presented.authorization !== undefined) {
      const token = bearerTokenOf(presented.authorization);
      if (token === undefined) {
        return fail(HttpEdgeErrorCode.Unauthorized, 'Authorization must be "Bearer <token>"', true);
      }
      return this.byToken(token);
    }
    if (presented.session) return { ok: true, principal: presented.session };
    if (policy.queryToken && presented.queryToken !== undefined) return this.byToken(presented.queryToken);
    if (policy.deviceKey && presented.deviceKey !== undefined) {
      if (!this.signer.isDeviceKey(presented.deviceKey)) {
        return fail(HttpEdgeErrorCode.Unauthorized, 'unknown HDHomeRun device key', true);
      }
      return {
        ok: true,
        principal: { kind: 'device-key', name: 'hdhomerun', scopes: new Set(['read', 'stream']) },
      };
    }
    if (
      policy.signed &&
      presented.sig !== undefined &&
      policy.scope !== 'admin' &&
      policy.scope !== 'public'
    ) {
      const check = this.signer.verify(
        policy.scope,
        presented.path,
        presented.sig,
        presented.exp,
        nowSeconds,
      );
      if (check === 'invalid') return fail(HttpEdgeErrorCode.SignatureInvalid, 'invalid URL signature', true);
      if (check === 'expired') {
        return fail(HttpEdgeErrorCode.SignatureExpired, 'signed URL expired; reload the playlist', false);
      }
      return {
        ok: true,
        principal: { kind: 'signed-url', name: 'signed-url', scopes: new Set([policy.scope]) },
      };
    }
    return { ok: true, principal: null };
  }

  private byToken(secret: string): AuthDecision {
    const principal = this.tokens.lookup(secret);
    if (!principal) return fail(HttpEdgeErrorCode.Unauthorized, 'invalid token', true);
    return { ok: true, principal };
  }

  /** Whatever anonymous callers may do, identified callers may do too. */
  private withAnonymousScopes(principal: Principal | null): Principal | null {
    if (!this.anonymous) return principal;
    if (!principal) return this.anonymous;
    return { ...principal, scopes: new Set([...principal.scopes, ...this.anonymous.scopes]) };
  }
}

function fail(code: HttpEdgeErrorCode, message: string, badCredential: boolean): AuthDecision {
  return { ok: false, code, message, badCredential };
}
