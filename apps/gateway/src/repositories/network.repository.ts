import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';

/** Facts about this host's network: its interfaces and the port the HTTP server listens on. */
@Injectable()
export class NetworkRepository {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** The local IPv4 address on the interface facing `remote` (same subnet), for URLs advertised to it. */
  localAddressFor(remote: string): string {
    if (!isIPv4(remote) || remote.startsWith('127.')) return '127.0.0.1';
    const target = toNumber(remote);
    let fallback: string | null = null;
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) {
        if (entry.family !== 'IPv4' || entry.internal) continue;
        fallback ??= entry.address;
        const mask = toNumber(entry.netmask);
        if ((toNumber(entry.address) & mask) >>> 0 === (target & mask) >>> 0) return entry.address;
      }
    }
    return fallback ?? '127.0.0.1';
  }

  httpPort(): number | null {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as {
      address(): AddressInfo | string | null;
    };
    const address = server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((sum, part) => ((sum << 8) | Number(part)) >>> 0, 0);
}
