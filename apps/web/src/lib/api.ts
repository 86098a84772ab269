/** The gateway's public API, as the browser calls it: same origin, the session cookie, the CSRF header. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's stable error code (`TUNERS_BUSY`, `FORBIDDEN`, …), or `NETWORK` when nothing answered. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

/** The session's CSRF token, sent with every state-changing call. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a call answers 401: the session ended (signed out elsewhere, expired, token removed). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'the server did not answer');
  }
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const error = errorOf(response.status, body);
    if (error.status === 401) for (const listener of unauthorizedListeners) listener();
    throw error;
  }
  return body as T;
}

/** An error body of the API (`{code, message}`) as an ApiError; anything else by its status. */
export function errorOf(status: number, body: unknown): ApiError {
  const record = (body ?? {}) as { code?: unknown; message?: unknown };
  return new ApiError(
    status,
    typeof record.code === 'string' ? record.code : `HTTP_${status}`,
    typeof record.message === 'string' ? record.message : `HTTP ${status}`,
  );
}
