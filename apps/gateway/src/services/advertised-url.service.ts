import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { NetworkRepository } from '../repositories/network.repository.js';

/**
 * Base URL announced over UDP (HDHomeRun discovery, SSDP), where there is no Host header to go by:
 * `E2GATE_PUBLIC_URL`, else this host's address on the interface facing the asker plus the HTTP port.
 */
@Injectable()
export class AdvertisedUrlService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly network: NetworkRepository,
  ) {}

  baseUrlFor(remoteAddress: string): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    const host = this.config.http.host;
    const address = host === '0.0.0.0' || host === '::' ? this.network.localAddressFor(remoteAddress) : host;
    const port = this.network.httpPort() ?? this.config.http.port;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }
}
