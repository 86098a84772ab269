import { describe, expect, it } from 'vitest';
import { ChannelsQuery, RefreshBody } from '../dto/query.dto.js';
import { GatewayHttpError } from './gateway-http-error.js';
import { RequestValidationPipe } from './request-validation.pipe.js';

const pipe = new RequestValidationPipe();

async function failure(promise: Promise<unknown>): Promise<GatewayHttpError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayHttpError);
  return error as GatewayHttpError;
}

describe('RequestValidationPipe', () => {
  it('transforms and validates query parameters, naming what is wrong', async () => {
    const query = await pipe.transform({ limit: '5' }, { type: 'query', metatype: ChannelsQuery });
    expect(query).toBeInstanceOf(ChannelsQuery);
    expect(query).toMatchObject({ limit: 5 });
    const error = await failure(pipe.transform({ limit: '0' }, { type: 'query', metatype: ChannelsQuery }));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { limit: [expect.any(String)] } });
  });

  it('rejects unknown fields in a body, naming them, but drops unknown query parameters', async () => {
    const error = await failure(
      pipe.transform({ reason: 'why', force: true }, { type: 'body', metatype: RefreshBody }),
    );
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { force: [expect.stringContaining('should not exist')] },
    });
    const body = await pipe.transform({ reason: 'why' }, { type: 'body', metatype: RefreshBody });
    expect(body).toEqual(Object.assign(new RefreshBody(), { reason: 'why' }));
    const query = await pipe.transform(
      { limit: '5', token: 'x', transcode: 'heavy' },
      { type: 'query', metatype: ChannelsQuery },
    );
    expect(query).toEqual(Object.assign(new ChannelsQuery(), { limit: 5 }));
  });

  it('answers VALIDATION_FAILED for a body nested 5,000 levels deep instead of overflowing the stack', async () => {
    const deep = JSON.parse(`{"reason":${'['.repeat(5000)}${']'.repeat(5000)}}`) as unknown;
    const error = await failure(pipe.transform(deep, { type: 'body', metatype: RefreshBody }));
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'invalid request: body nested deeper than 32 levels',
    });
  });
});
