import { describe, expect, it, vi } from 'vitest';
import { E2gateError, Subject } from '@e2gate/contracts';
import { NatsClientService } from './nats-client.service.js';
import { NatsConnectionService, type NatsLinkState } from './nats-connection.service.js';

/** A connection service in a given link state (no server): `connection()` never settles, as with a server away. */
function connectionIn(linkState: NatsLinkState) {
  const connection = vi.fn(() => new Promise<never>(() => undefined));
  const service = Object.assign(Object.create(NatsConnectionService.prototype) as NatsConnectionService, {
    linkState,
    connection,
  });
  return { client: new NatsClientService(service), connection };
}

describe('NatsClientService.request', () => {
  it.each(['disconnected', 'reconnecting', 'closed'] as const)(
    'fails at once with UNAVAILABLE while the connection is %s, sending nothing',
    async (state) => {
      const { client, connection } = connectionIn(state);
      const error: unknown = await client
        .request(Subject.CatalogGetMeta, {}, { timeoutMs: 60_000 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(E2gateError);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining(state) });
      expect(connection).not.toHaveBeenCalled();
    },
  );

  it('uses the connection when it is up (or still being opened)', () => {
    for (const state of ['connected', 'connecting'] as const) {
      const { client, connection } = connectionIn(state);
      void client.request(Subject.CatalogGetMeta, {});
      expect(connection, state).toHaveBeenCalledOnce();
    }
  });
});
