/**
 * `npm run nats:config -- <dir> [--listen host:port] [--store dir]`: the NATS users of a deployment (ADR 0032).
 * Makes one NKey per service in `<dir>/<role>/seed.nk` (kept if there already) and writes `<dir>/nats-server.conf`
 * with their public keys and permissions. docker-compose runs it before NATS starts; for other deployments run it
 * once and hand each service its own seed (`E2GATE_NATS_NKEY_FILE`).
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNatsIdentities, renderNatsServerConfig } from '@e2gate/nats';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    listen: { type: 'string', default: '0.0.0.0:4222' },
    store: { type: 'string', default: '/data/jetstream' },
  },
});
const dir = positionals[0];
if (!dir) {
  console.error('usage: nats-config <dir> [--listen host:port] [--store dir]');
  process.exit(2);
}
const identities = await ensureNatsIdentities(resolve(dir));
const configFile = join(resolve(dir), 'nats-server.conf');
await writeFile(
  configFile,
  renderNatsServerConfig({ identities, listen: values.listen, storeDir: values.store }),
  { mode: 0o644 },
);
console.log(`wrote ${configFile}`);
for (const identity of identities)
  console.log(`${identity.role.padEnd(10)} ${identity.publicKey}  ${identity.seedFile}`);
