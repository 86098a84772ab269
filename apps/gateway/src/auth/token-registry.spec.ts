import { describe, expect, it } from 'vitest';
import { TokenRegistry } from './token-registry.js';

describe('TokenRegistry', () => {
  const registry = new TokenRegistry([
    { name: 'kodi', secret: 'kodi-secret-0123456789', scopes: ['read', 'stream'] },
    { name: 'ops', secret: 'ops-secret-0123456789ab', scopes: ['admin'] },
  ]);

  it('finds tokens by secret and expands admin to every scope', () => {
    expect(registry.lookup('kodi-secret-0123456789')).toMatchObject({ kind: 'token', name: 'kodi' });
    expect([...registry.lookup('ops-secret-0123456789ab')!.scopes].sort()).toEqual([
      'admin',
      'read',
      'stream',
    ]);
  });

  it.each(['', 'kodi-secret-012345678', 'kodi-secret-0123456789 ', 'KODI-SECRET-0123456789'])(
    'rejects %j',
    (secret) => expect(registry.lookup(secret)).toBeNull(),
  );
});
