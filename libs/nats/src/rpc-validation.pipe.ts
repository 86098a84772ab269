import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ErrorCode, type ErrorBody } from '@e2gate/contracts';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from './payload-depth.js';

/** Flattens class-validator errors into `{field: [messages]}` for the `details` of VALIDATION_FAILED. */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out[path] = Object.values(error.constraints);
    if (error.children?.length) Object.assign(out, describeValidationErrors(error.children, path));
  }
  return out;
}

/**
 * The RPC flavour of the global ValidationPipe: failures travel as `{code: VALIDATION_FAILED, …}`. Anyone who can
 * publish on a subject reaches it, so a payload nested too deep is refused before class-transformer walks it.
 */
class RpcValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH)) {
      const body: ErrorBody = {
        code: ErrorCode.ValidationFailed,
        message: `invalid request: payload nested deeper than ${MAX_PAYLOAD_DEPTH} levels`,
      };
      throw new RpcException(body);
    }
    return super.transform(value, metadata);
  }
}

export function createRpcValidationPipe(): ValidationPipe {
  return new RpcValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = describeValidationErrors(errors);
      const body: ErrorBody = {
        code: ErrorCode.ValidationFailed,
        message: `invalid request: ${Object.keys(details).join(', ') || 'payload'}`,
        details,
      };
      return new RpcException(body);
    },
  });
}
