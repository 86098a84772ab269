import { type ArgumentMetadata, Injectable, type PipeTransform, ValidationPipe } from '@nestjs/common';
import { ErrorCode } from '@e2gate/contracts';
import { describeValidationErrors, MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '@e2gate/nats';
import { GatewayHttpError } from './gateway-http-error.js';

/**
 * The global pipe of every route parameter: `ValidationPipe({ whitelist, transform })` with failures as
 * 400 VALIDATION_FAILED, and a depth check first: class-transformer walks a value recursively and would overflow
 * the stack (a 500) on a body nested a few thousand levels deep. A JSON body is a contract of ours, so an unknown
 * field in it is an error; query strings are not: players append parameters of their own (`?transcode=`) and
 * credentials (`?token=`, `?sig=`), which are dropped.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  private readonly query = validationPipe(false);
  private readonly body = validationPipe(true);

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH)) {
      throw new GatewayHttpError(
        ErrorCode.ValidationFailed,
        `invalid request: ${metadata.type} nested deeper than ${MAX_PAYLOAD_DEPTH} levels`,
      );
    }
    return (metadata.type === 'body' ? this.body : this.query).transform(value, metadata);
  }
}

function validationPipe(forbidUnknown: boolean): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: forbidUnknown,
    transform: true,
    exceptionFactory: (errors) => {
      const details = describeValidationErrors(errors);
      return new GatewayHttpError(
        ErrorCode.ValidationFailed,
        `invalid request: ${Object.keys(details).join(', ') || 'parameters'}`,
        {},
        details,
      );
    },
  });
}
