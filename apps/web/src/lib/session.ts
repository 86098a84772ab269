import { api, setCsrfToken } from './api.js';
import type { Me, Scope } from './types.js';

/** Who is using the app: loaded at start, set by sign-in, cleared by sign-out or a 401. */

export async function loadMe(): Promise<Me | null> {
  const me = await api<Me>('/api/v1/auth/session');
  return remember(me.kind === 'none' ? null : me);
}

export async function signIn(token: string): Promise<Me> {
  return remember(await api<Me>('/api/v1/auth/session', { method: 'POST', body: { token } })) as Me;
}

export async function signOut(): Promise<void> {
  await api<void>('/api/v1/auth/session', { method: 'DELETE' });
  remember(null);
}

export function can(me: Me | null, scope: Scope): boolean {
  return me?.scopes.includes(scope) ?? false;
}

function remember(me: Me | null): Me | null {
  setCsrfToken(me?.csrfToken ?? null);
  return me;
}
