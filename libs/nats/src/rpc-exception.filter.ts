import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { type Observable, throwError } from 'rxjs';
import { E2gateError, ErrorCode, isErrorBody, isKnownErrorCode, type ErrorBody } from '@e2gate/contracts';
import { isNatsUnavailable } from './nats-errors.js';

/**
 * Turns anything a NATS handler throws into `{code, message, details}`. Known errors keep their code, a NATS
 * outage of the handler's own calls is UNAVAILABLE; everything else becomes INTERNAL and is logged with its stack,
 * never sent to the caller.
 */
@Catch()
export class RpcExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(RpcExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const body = this.toBody(exception, host);
    return throwError(() => body);
  }

  private toBody(exception: unknown, host: ArgumentsHost): ErrorBody {
    if (exception instanceof E2gateError) return exception.toBody();
    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isErrorBody(error)) return error;
      return { code: ErrorCode.BadRequest, message: typeof error === 'string' ? error : 'bad request' };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return { code: ErrorCode.BadRequest, message: exception.message };
    }
    if (isErrorBody(exception) && isKnownErrorCode(exception.code)) return exception;
    // The handler's own NATS/JetStream call found the server away for a moment (a cluster electing leaders).
    if (isNatsUnavailable(exception)) {
      return { code: ErrorCode.Unavailable, message: 'NATS is unavailable for a moment, retry' };
    }
    const subject =
      host.getType() === 'rpc'
        ? host.switchToRpc().getContext<{ getSubject?: () => string }>().getSubject?.()
        : undefined;
    this.logger.error({
      err: exception,
      subject,
      msg: `unhandled error in NATS handler${subject ? ` for ${subject}` : ''}`,
    });
    return { code: ErrorCode.Internal, message: 'internal error' };
  }
}
