import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '@e2gate/config';
import { NatsConnectionService, natsAuthOptions } from '@e2gate/nats';
import { natsEnv, natsLink, startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.js';

// TLS between the services and NATS (docs/deploy/nats-security.md § TLS): a server with a certificate requires TLS
// of every client; a service trusts the CA named by E2GATE_NATS_TLS_CA, and nothing else.

const work = mkdtempSync(join(tmpdir(), 'e2gate-nats-tls-'));
let certificates: TestCertificates;
let nats: RunningNatsServer;

beforeAll(async () => {
  certificates = makeTestCertificates(work);
  nats = await startNatsServer({ tls: certificates });
}, 30_000);

afterAll(async () => {
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('NATS over TLS', () => {
  it('a service with E2GATE_NATS_TLS_CA connects over TLS as its own user and works', async () => {
    const config = loadGatewayConfig({
      ...natsEnv(nats.url, 'gateway'),
      E2GATE_NATS_TLS_CA: certificates.caFile,
    });
    const service = new NatsConnectionService({ link: config, role: 'gateway', name: 'tls-probe' });
    try {
      const nc = await service.connection();
      expect(nc.info?.tls_required).toBe(true);
      expect(await service.rtt()).toBeGreaterThanOrEqual(0);
      // A JetStream call under the gateway's permissions goes through the same TLS connection.
      await expect((await service.jsm()).getAccountInfo()).resolves.toMatchObject({ streams: 0 });
    } finally {
      await service.onApplicationShutdown();
    }
  });

  it('is refused to a client that trusts another CA, or none', async () => {
    const attempt = async (caFile?: string) =>
      connect({
        servers: nats.url,
        ...(await natsAuthOptions({
          ...natsLink(nats.url, 'gateway'),
          ...(caFile ? { natsTlsCaFile: caFile } : {}),
        })),
        reconnect: false,
        timeout: 3_000,
      });
    const refusal = async (caFile?: string) =>
      attempt(caFile).then(
        () => 'connected',
        (error: Error) => error.message,
      );
    // The server's certificate is checked against the trusted CA only: a stranger's CA, or the system's, fails it.
    expect(await refusal(certificates.strangerCaFile)).toMatch(/unable to verify|certificate/i);
    expect(await refusal()).toMatch(/unable to verify|certificate/i);
  });
});
