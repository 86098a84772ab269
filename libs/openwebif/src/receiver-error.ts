import { E2gateError, ErrorCode } from '@e2gate/contracts';

export type ReceiverErrorCode =
  | typeof ErrorCode.ReceiverUnreachable
  | typeof ErrorCode.ReceiverTimeout
  | typeof ErrorCode.ReceiverHttpError
  | typeof ErrorCode.ReceiverAuthFailed
  | typeof ErrorCode.ReceiverNotFound
  | typeof ErrorCode.ReceiverBadResponse
  | typeof ErrorCode.ReceiverApiError
  | typeof ErrorCode.ReceiverCircuitOpen
  | typeof ErrorCode.ReceiverOverloaded
  | typeof ErrorCode.ReceiverResponseTooLarge;

export interface ReceiverErrorDetails {
  endpoint: string;
  status?: number;
  /** First characters of the offending body. */
  snippet?: string;
}

/** A failed receiver call with a stable code, the endpoint and (for bad bodies) a short snippet. */
export class ReceiverError extends E2gateError {
  constructor(
    code: ReceiverErrorCode,
    message: string,
    readonly info: ReceiverErrorDetails,
  ) {
    super(code, message, info);
    this.name = 'ReceiverError';
  }

  /** Transport-level failures that say the receiver is unhealthy (retried; counted by the breaker). */
  get transient(): boolean {
    return (
      this.code === ErrorCode.ReceiverUnreachable ||
      this.code === ErrorCode.ReceiverTimeout ||
      (this.code === ErrorCode.ReceiverHttpError &&
        (this.info.status === 429 || (this.info.status ?? 0) >= 500))
    );
  }
}
