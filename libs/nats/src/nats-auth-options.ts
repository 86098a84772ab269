import { readFile } from 'node:fs/promises';
import {
  nkeyAuthenticator,
  usernamePasswordAuthenticator,
  type ConnectionOptions,
} from '@nats-io/transport-node';
import type { NatsLink } from './nats-options.js';

/** The connect options that carry a service's credentials and TLS trust; none for a server without auth. */
export async function natsAuthOptions(link: NatsLink): Promise<Partial<ConnectionOptions>> {
  const options: Partial<ConnectionOptions> = {};
  const credentials = link.natsCredentials;
  if (credentials?.kind === 'nkey') {
    const seed = (await readFile(credentials.seedFile, 'utf8')).trim();
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  } else if (credentials?.kind === 'password') {
    options.authenticator = usernamePasswordAuthenticator(credentials.user, credentials.password);
  }
  if (link.natsTlsCaFile) options.tls = { caFile: link.natsTlsCaFile };
  return options;
}
