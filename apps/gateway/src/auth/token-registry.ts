import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiTokenConfig } from '@e2gate/config';
import { effectiveScopes, type Principal } from './principal.js';

interface Entry {
  digest: Buffer;
  principal: Principal;
}

/**
 * The configured API tokens. Lookup compares SHA-256 digests with `timingSafeEqual` against every entry
 * without stopping at a match, so the time taken says nothing about which (or how much of a) secret matched.
 */
export class TokenRegistry {
  private readonly entries: Entry[];

  constructor(tokens: readonly ApiTokenConfig[]) {
    this.entries = tokens.map((token) => ({
      digest: digest(token.secret),
      principal: { kind: 'token', name: token.name, scopes: effectiveScopes(token.scopes) },
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  lookup(secret: string): Principal | null {
    const candidate = digest(secret);
    let found: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && found === null) found = entry.principal;
    }
    return found;
  }

  /** The principal of the token called `name` (a web session refers to its token by name). */
  byName(name: string): Principal | null {
    return this.entries.find((entry) => entry.principal.name === name)?.principal ?? null;
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
