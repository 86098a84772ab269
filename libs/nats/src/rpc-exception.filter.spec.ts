import type { ArgumentsHost } from '@nestjs/common';
import { TimeoutError } from '@nats-io/transport-node';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { RpcExceptionFilter } from './rpc-exception.filter.js';

const host = {
  getType: () => 'rpc',
  switchToRpc: () => ({ getContext: () => ({ getSubject: () => 'transcoder.cmd.session.open' }) }),
} as unknown as ArgumentsHost;

async function bodyOf(exception: unknown): Promise<unknown> {
  return firstValueFrom(new RpcExceptionFilter().catch(exception, host)).catch((body: unknown) => body);
}

describe('RpcExceptionFilter', () => {
  it("answers UNAVAILABLE when the handler's own NATS call found the server away, INTERNAL for the unexpected", async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await bodyOf(new TimeoutError())).toEqual({
      code: 'UNAVAILABLE',
      message: 'NATS is unavailable for a moment, retry',
    });
    expect(await bodyOf(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'internal error' });
    quiet.mockRestore();
  });
});
