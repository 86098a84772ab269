import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { E2gateError, ErrorCode, HttpEdgeErrorCode } from '@e2gate/contracts';
import { HTTP_STATUS_OF } from './error-table.js';
import { toErrorResponse } from './error-response.js';
import { GatewayHttpError } from './gateway-http-error.js';

describe('toErrorResponse', () => {
  it('maps every known code to a status, 5xx only for server-side trouble', () => {
    for (const [code, status] of Object.entries(HTTP_STATUS_OF)) {
      const serverSide =
        [
          'INTERNAL',
          'NO_SNAPSHOT',
          'UNAVAILABLE',
          'TIMEOUT',
          'REFRESH_FAILED',
          'REFRESH_TIMEOUT',
          'SNAPSHOT_INVALID',
          'LIMIT_EXCEEDED',
          'TUNERS_BUSY',
          'CAPACITY',
        ].includes(code) || code.startsWith('RECEIVER_');
      expect(status >= 500, code).toBe(serverSide);
    }
  });

  it('keeps codes from other services and hides their internal details', () => {
    const response = toErrorResponse(
      new E2gateError(ErrorCode.ReceiverTimeout, 'box slow', { url: 'x' }),
      'r1',
    );
    expect(response).toMatchObject({
      status: 504,
      body: { code: 'RECEIVER_TIMEOUT', message: 'box slow', requestId: 'r1' },
    });
    expect(response.body.details).toBeUndefined();
    const range = toErrorResponse(new E2gateError(ErrorCode.RangeTooLarge, 'big', { maxSeconds: 1 }), 'r2');
    expect(range.body.details).toEqual({ maxSeconds: 1 });
  });

  it('carries headers of edge errors', () => {
    const response = toErrorResponse(
      new GatewayHttpError(HttpEdgeErrorCode.RateLimited, 'slow down', { 'retry-after': '7' }),
      'r',
    );
    expect(response).toMatchObject({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { code: 'RATE_LIMITED' },
    });
  });

  it('turns framework errors into 4xx codes', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'), 'r').body).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(toErrorResponse(new BadRequestException(), 'r').status).toBe(400);
    expect(toErrorResponse(new PayloadTooLargeException(), 'r').body.code).toBe('PAYLOAD_TOO_LARGE');
    const fastify = Object.assign(new Error('Unsupported Media Type'), {
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    });
    expect(toErrorResponse(fastify, 'r')).toMatchObject({
      status: 415,
      body: { code: 'UNSUPPORTED_MEDIA_TYPE' },
    });
  });

  it('answers 503 UNAVAILABLE with Retry-After when NATS or JetStream is away for a moment', () => {
    for (const exception of [
      new TimeoutError(),
      new RequestError('no responders', { cause: new NoRespondersError('x') }),
    ]) {
      const response = toErrorResponse(exception, 'r1');
      expect(response).toMatchObject({
        status: 503,
        body: { code: 'UNAVAILABLE' },
        headers: { 'retry-after': '2' },
        unexpected: false,
      });
    }
  });

  it('answers 500 INTERNAL without details for anything unexpected', () => {
    const response = toErrorResponse(new TypeError('secret internals'), 'r');
    expect(response).toMatchObject({
      status: 500,
      unexpected: true,
      body: { code: 'INTERNAL', message: 'internal error' },
    });
  });

  it('tells clients refused for busy tuners or capacity when to retry', () => {
    const busy = toErrorResponse(
      new E2gateError(ErrorCode.TunersBusy, 'all 2 tuners busy', {
        tuners: 2,
        inUse: 2,
        retryAfterSeconds: 10,
      }),
      'r1',
    );
    expect(busy).toMatchObject({
      status: 503,
      headers: { 'retry-after': '10' },
      body: { code: 'TUNERS_BUSY', details: { tuners: 2, inUse: 2 } },
    });
    const full = toErrorResponse(
      new E2gateError(ErrorCode.Capacity, 'full', { retryAfterSeconds: 1e9 }),
      'r2',
    );
    expect(full).toMatchObject({ status: 503, headers: { 'retry-after': '3600' } });
    expect(full.body.details).toBeUndefined();
    // A service's own UNAVAILABLE is the same passing outage as a NATS error: retried after 2 s.
    expect(toErrorResponse(new E2gateError(ErrorCode.Unavailable, 'x'), 'r3').headers).toEqual({
      'retry-after': '2',
    });
    expect(toErrorResponse(new E2gateError(ErrorCode.NotFound, 'x'), 'r4').headers).toEqual({});
  });
});
