import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ErrorDto } from '../dto/error.dto.js';

export const SecurityScheme = {
  Bearer: 'bearer',
  QueryToken: 'token',
  Signature: 'signature',
  Session: 'session',
} as const;

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid parameters (VALIDATION_FAILED, RANGE_TOO_LARGE, BAD_REQUEST)',
  401: 'Missing or invalid credentials (UNAUTHORIZED, SIGNATURE_INVALID, SIGNATURE_EXPIRED)',
  403: 'Credentials lack the scope (FORBIDDEN), or a cookie-signed call lacks its CSRF token (CSRF_REJECTED)',
  404: 'Not found (NOT_FOUND)',
  409: 'The job is not in a state that allows this (JOB_STATE_CONFLICT)',
  413: 'Request body too large (PAYLOAD_TOO_LARGE)',
  415: 'Unsupported content type (UNSUPPORTED_MEDIA_TYPE)',
  416: 'The range lies outside the file (RANGE_NOT_SATISFIABLE); Content-Range gives its size',
  422: 'The Idempotency-Key was used with another request body (IDEMPOTENCY_KEY_REUSED)',
  429: 'Rate limited (RATE_LIMITED) or the job queue is full (JOB_QUEUE_FULL); see Retry-After',
  502: 'The receiver failed (RECEIVER_*)',
  503: 'No snapshot yet (NO_SNAPSHOT), or a service is unavailable for a moment (UNAVAILABLE, with Retry-After)',
  504: 'A service did not answer in time (TIMEOUT)',
};

/** Documents error statuses with the common `{code, message, requestId}` body. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        type: ErrorDto,
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        ...(status === 429 || status === 503
          ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } }
          : {}),
      }),
    ),
  );
}

/** Routes for API clients: `Authorization: Bearer`, or the web app's session cookie. */
export const ApiClientSecurity = () =>
  applyDecorators(ApiBearerAuth(SecurityScheme.Bearer), ApiSecurity(SecurityScheme.Session));

/** Resources whose URLs the gateway writes into documents (picons): Bearer or a signed URL, never `?token=`. */
export const SignedSecurity = () =>
  applyDecorators(ApiBearerAuth(SecurityScheme.Bearer), ApiSecurity(SecurityScheme.Signature));

/** Routes players open by URL: Bearer, `?token=`, or a signed URL. */
export function PlayerSecurity(signed = true) {
  return applyDecorators(
    ApiBearerAuth(SecurityScheme.Bearer),
    ApiSecurity(SecurityScheme.QueryToken),
    ...(signed ? [ApiSecurity(SecurityScheme.Signature)] : []),
  );
}
