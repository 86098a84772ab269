import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { classifyFailure } from './job-failure.js';
import { JobRunError } from './job-runner.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('classifyFailure', () => {
  it('names a stop from outside first: timeout, cancel', () => {
    expect(classifyFailure(new Error('aborted'), 'timeout')).toMatchObject({
      class: 'timeout',
      code: 'JOB_TIMEOUT',
    });
    expect(classifyFailure(new Error('aborted'), 'canceled')).toMatchObject({ class: 'canceled' });
  });

  it("keeps a runner's own class", () => {
    expect(classifyFailure(new JobRunError('input_error', 'JOB_NO_MEDIA', 'x'), null)).toMatchObject({
      class: 'input_error',
      code: 'JOB_NO_MEDIA',
    });
  });

  it('takes NATS away for a moment (a timed-out request, a closed connection) as the network: retried', () => {
    for (const error of [new errors.TimeoutError(), new errors.ClosedConnectionError()]) {
      expect(classifyFailure(error, null)).toMatchObject({
        class: 'network_error',
        code: ErrorCode.Unavailable,
      });
    }
  });

  it('maps receiver errors: a missing or unreadable file is the input, an unreachable box the network', () => {
    expect(classifyFailure(new E2gateError(ErrorCode.ReceiverNotFound, 'x'), null).class).toBe('input_error');
    expect(classifyFailure(new E2gateError(ErrorCode.ReceiverUnreachable, 'x'), null).class).toBe(
      'network_error',
    );
    expect(classifyFailure(new E2gateError(ErrorCode.Internal, 'x'), null).class).toBe('runtime_error');
  });

  it('maps system and engine codes: disk full is a resource, an unreadable stream the input', () => {
    expect(classifyFailure(withCode('ENOSPC'), null)).toMatchObject({
      class: 'resource_error',
      code: 'ENOSPC',
    });
    expect(classifyFailure(withCode('ECONNRESET'), null).class).toBe('network_error');
    expect(classifyFailure(withCode('ERR_NATIVE_INVALID_INPUT'), null).class).toBe('input_error');
    expect(classifyFailure(withCode('ERR_NATIVE_IO'), null).class).toBe('resource_error');
    expect(classifyFailure(withCode('ERR_NATIVE_FAILED'), null).class).toBe('runtime_error');
    expect(classifyFailure('?', null)).toMatchObject({ class: 'runtime_error', code: 'JOB_RUNTIME_ERROR' });
  });
});
