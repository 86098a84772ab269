import type { ErrorCode } from './errors.js';

/**
 * Error codes that exist only at the HTTP edge (the gateway): authentication, throttling and request limits.
 * They travel in the same `{code, message}` body as the shared `ErrorCode`s; never rename one.
 */
export const HttpEdgeErrorCode = {
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  SignatureInvalid: 'SIGNATURE_INVALID',
  SignatureExpired: 'SIGNATURE_EXPIRED',
  RateLimited: 'RATE_LIMITED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  UriTooLong: 'URI_TOO_LONG',
  /** A state-changing call signed in by cookie without the session's CSRF token, or from another origin. */
  CsrfRejected: 'CSRF_REJECTED',
  /** A settings reload found a settings file that does not validate; the running settings stay. */
  SettingsInvalid: 'SETTINGS_INVALID',
} as const;

export type HttpEdgeErrorCode = (typeof HttpEdgeErrorCode)[keyof typeof HttpEdgeErrorCode];

/** Every code an HTTP client of the gateway can see. */
export type HttpErrorCode = ErrorCode | HttpEdgeErrorCode;

/** The body of every gateway error response. */
export interface HttpErrorBody {
  code: HttpErrorCode;
  message: string;
  requestId: string;
  details?: unknown;
}
