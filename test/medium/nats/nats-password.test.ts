import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '@e2gate/config';
import {
  ensureNatsIdentities,
  NatsConnectionService,
  natsAuthOptions,
  renderNatsAuthorization,
} from '@e2gate/nats';
import { findNatsServerBinary, ServerLog, spawnServer, stopChild } from '../../support/nats-server.js';

// Operators who prefer passwords to NKeys (docs/deploy/nats-security.md): the server's users are the generated
// ones with `user`/`password` instead of `nkey` (the same permissions), and a service connects with
// E2GATE_NATS_USER and E2GATE_NATS_PASSWORD.

const PASSWORD = 'gateway-password-0123456789';
const work = mkdtempSync(join(tmpdir(), 'e2gate-nats-password-'));
let server: Awaited<ReturnType<typeof spawnServer>>;

beforeAll(async () => {
  const identities = await ensureNatsIdentities(join(work, 'auth'));
  const gateway = identities.find((identity) => identity.role === 'gateway')!;
  // What the docs tell an operator to do: copy the generated users, a password in place of the key.
  const authorization = renderNatsAuthorization(identities).replace(
    `nkey: ${JSON.stringify(gateway.publicKey)}`,
    `user: "gateway"\n      password: ${JSON.stringify(PASSWORD)}`,
  );
  expect(authorization).toContain('user: "gateway"');
  const configFile = join(work, 'nats-server.conf');
  writeFileSync(configFile, authorization);
  server = await spawnServer(
    findNatsServerBinary(),
    '-1',
    join(work, 'js'),
    work,
    configFile,
    new ServerLog(),
  );
}, 30_000);

afterAll(async () => {
  if (server) await stopChild(server.child);
  rmSync(work, { recursive: true, force: true });
});

const serviceWith = (user: string, password: string) =>
  new NatsConnectionService({
    link: loadGatewayConfig({
      NATS_URL: server.url,
      E2GATE_NATS_USER: user,
      E2GATE_NATS_PASSWORD: password,
    }),
    role: 'gateway',
    name: 'password-probe',
  });

describe('a NATS user with a password', () => {
  it('connects as the gateway with E2GATE_NATS_USER and E2GATE_NATS_PASSWORD and works under its rights', async () => {
    const service = serviceWith('gateway', PASSWORD);
    try {
      expect(await service.rtt()).toBeGreaterThanOrEqual(0);
      await expect((await service.jsm()).getAccountInfo()).resolves.toMatchObject({ streams: 0 });
      // The gateway's rights, not everyone's: it may not answer the catalog's queries.
      const refused = (await service.connection()).subscribe('catalog.get.meta');
      expect(String(await refused.closed)).toMatch(/Permissions Violation for Subscription/);
    } finally {
      await service.onApplicationShutdown();
    }
  });

  it('is refused with a wrong password, or none', async () => {
    const attempt = async (credentials: Partial<ConnectionOptions>) =>
      connect({ servers: server.url, reconnect: false, timeout: 3_000, ...credentials }).then(
        async (nc) => {
          await nc.close();
          return 'connected';
        },
        (error: Error) => error.message,
      );
    const wrong = await natsAuthOptions({
      natsUrl: server.url,
      natsCredentials: { kind: 'password', user: 'gateway', password: 'not-the-password-0123456789' },
    });
    expect(await attempt(wrong)).toMatch(/authorization/i);
    expect(await attempt({})).toMatch(/authorization/i);
  });
});
