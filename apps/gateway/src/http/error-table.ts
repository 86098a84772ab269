import { ErrorCode, HttpEdgeErrorCode, type HttpErrorCode } from '@e2gate/contracts';

/**
 * The one table from error codes to HTTP statuses. Typed as a complete record, so a new code in
 * `@e2gate/contracts` does not compile until it has a status here.
 */
export const HTTP_STATUS_OF: Readonly<Record<HttpErrorCode, number>> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.RangeTooLarge]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.NoSnapshot]: 503,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Timeout]: 504,
  [ErrorCode.Internal]: 500,
  [ErrorCode.RefreshFailed]: 502,
  [ErrorCode.RefreshTimeout]: 504,
  [ErrorCode.ReceiverUnreachable]: 502,
  [ErrorCode.ReceiverTimeout]: 504,
  [ErrorCode.ReceiverHttpError]: 502,
  [ErrorCode.ReceiverAuthFailed]: 502,
  [ErrorCode.ReceiverNotFound]: 502,
  [ErrorCode.ReceiverBadResponse]: 502,
  [ErrorCode.ReceiverApiError]: 502,
  [ErrorCode.ReceiverCircuitOpen]: 503,
  [ErrorCode.ReceiverOverloaded]: 503,
  [ErrorCode.ReceiverResponseTooLarge]: 502,
  [ErrorCode.SnapshotInvalid]: 503,
  [ErrorCode.LimitExceeded]: 502,
  [ErrorCode.ReceiverStreamRefused]: 502,
  [ErrorCode.TunersBusy]: 503,
  [ErrorCode.Capacity]: 503,
  [ErrorCode.JobQueueFull]: 429,
  [ErrorCode.JobStateConflict]: 409,
  [ErrorCode.IdempotencyKeyReused]: 422,
  [ErrorCode.RangeNotSatisfiable]: 416,
  [HttpEdgeErrorCode.Unauthorized]: 401,
  [HttpEdgeErrorCode.Forbidden]: 403,
  [HttpEdgeErrorCode.SignatureInvalid]: 401,
  [HttpEdgeErrorCode.SignatureExpired]: 401,
  [HttpEdgeErrorCode.RateLimited]: 429,
  [HttpEdgeErrorCode.PayloadTooLarge]: 413,
  [HttpEdgeErrorCode.UnsupportedMediaType]: 415,
  [HttpEdgeErrorCode.MethodNotAllowed]: 405,
  [HttpEdgeErrorCode.UriTooLong]: 414,
  [HttpEdgeErrorCode.CsrfRejected]: 403,
  [HttpEdgeErrorCode.SettingsInvalid]: 422,
};

/** Code for an HTTP status that was not produced from a code (framework errors, unknown routes). */
export function codeForStatus(status: number): HttpErrorCode {
  switch (status) {
    case 401:
      return HttpEdgeErrorCode.Unauthorized;
    case 403:
      return HttpEdgeErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 405:
      return HttpEdgeErrorCode.MethodNotAllowed;
    case 413:
      return HttpEdgeErrorCode.PayloadTooLarge;
    case 414:
      return HttpEdgeErrorCode.UriTooLong;
    case 415:
      return HttpEdgeErrorCode.UnsupportedMediaType;
    case 429:
      return HttpEdgeErrorCode.RateLimited;
    case 503:
      return ErrorCode.Unavailable;
    case 504:
      return ErrorCode.Timeout;
    default:
      return status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest;
  }
}
