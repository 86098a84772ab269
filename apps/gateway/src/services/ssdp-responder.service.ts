import type { RemoteInfo } from 'node:dgram';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { ClockRepository } from '@e2gate/observability';
import { appVersion } from '@e2gate/observability';
import { deviceUdn } from '../hdhomerun/hdhomerun-documents.js';
import {
  notifyMessage,
  searchResponse,
  searchTarget,
  SSDP_GROUP,
  type SsdpIdentity,
} from '../hdhomerun/ssdp-protocol.js';
import { UdpSocketRepository, type UdpEndpoint } from '../repositories/udp-socket.repository.js';
import { AdvertisedUrlService } from './advertised-url.service.js';
import { HdhomerunService } from './hdhomerun.service.js';
import { RateGate } from './rate-gate.js';

const ALIVE_INTERVAL_MS = 300_000;

/** Optional SSDP (off by default: Plex and Jellyfin find tuners without it): M-SEARCH answers and NOTIFY alive. */
@Injectable()
export class SsdpResponderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SsdpResponderService.name);
  private endpoint: UdpEndpoint | null = null;
  private alive: NodeJS.Timeout | null = null;
  private readonly gate: RateGate;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly udp: UdpSocketRepository,
    private readonly hdhomerun: HdhomerunService,
    private readonly urls: AdvertisedUrlService,
    private readonly clock: ClockRepository,
  ) {
    this.gate = new RateGate(20, 20, clock.nowMs());
  }

  get port(): number | null {
    return this.endpoint?.port ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.ssdp.enabled || !this.config.hdhomerun.enabled) return;
    try {
      this.endpoint = await this.udp.bind({
        host: '0.0.0.0',
        port: this.config.ssdp.port,
        multicastGroup: SSDP_GROUP,
        onMessage: (packet, from) => this.answer(packet, from),
        onError: (error) => this.logger.warn(`SSDP socket: ${error.message}`),
      });
      this.logger.log(`SSDP listening on udp://0.0.0.0:${this.endpoint.port}`);
      this.alive = setInterval(() => this.announce('alive'), ALIVE_INTERVAL_MS);
      this.alive.unref();
    } catch (error) {
      this.logger.error(`SSDP disabled: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.alive) clearInterval(this.alive);
    if (this.endpoint) this.announce('byebye');
    await this.endpoint?.close();
    this.endpoint = null;
  }

  private identity(remote: string): SsdpIdentity {
    return {
      location: `${this.urls.baseUrlFor(remote)}/device.xml`,
      udn: deviceUdn(this.hdhomerun.device().deviceId),
      server: `Linux UPnP/1.0 e2gate/${appVersion()}`,
    };
  }

  private answer(packet: Buffer, from: RemoteInfo): void {
    const identity = this.identity(from.address);
    const target = searchTarget(packet.toString('utf8'), identity.udn);
    if (target === null || !this.gate.tryTake(this.clock.nowMs())) return;
    this.endpoint?.send(Buffer.from(searchResponse(identity, target)), from.port, from.address);
  }

  private announce(kind: 'alive' | 'byebye'): void {
    const message = Buffer.from(notifyMessage(this.identity(SSDP_GROUP), kind));
    this.endpoint?.send(message, 1900, SSDP_GROUP);
  }
}
