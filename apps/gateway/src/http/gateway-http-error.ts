import type { HttpErrorCode } from '@e2gate/contracts';

/** An error raised at the HTTP edge, with optional response headers (`Retry-After`, `WWW-Authenticate`). */
export class GatewayHttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'GatewayHttpError';
  }
}
