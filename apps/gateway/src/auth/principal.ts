import type { ApiScope } from '@e2gate/config';

/** Who is calling, as established by the auth guard. */
export interface Principal {
  kind: 'token' | 'session' | 'anonymous' | 'signed-url' | 'device-key';
  /** Token name, `anonymous`, `signed-url` or `hdhomerun`; safe to log. */
  name: string;
  scopes: ReadonlySet<ApiScope>;
}

/** `admin` implies every other scope. */
export function effectiveScopes(scopes: Iterable<ApiScope>): ReadonlySet<ApiScope> {
  const out = new Set(scopes);
  if (out.has('admin')) {
    out.add('read');
    out.add('stream');
  }
  return out;
}

export function hasScope(principal: Principal | undefined, scope: ApiScope): boolean {
  return principal?.scopes.has(scope) ?? false;
}
