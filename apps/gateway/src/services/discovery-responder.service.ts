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
import { buildDiscoverReply, isDiscoverRequestFor, parseFrame } from '../hdhomerun/discovery-protocol.js';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { UdpSocketRepository, type UdpEndpoint } from '../repositories/udp-socket.repository.js';
import { AdvertisedUrlService } from './advertised-url.service.js';
import { HdhomerunService } from './hdhomerun.service.js';
import { RateGate } from './rate-gate.js';

const REPLIES_PER_SECOND = 20;

/**
 * Answers HDHomeRun discovery requests on UDP (65001 by default), unicast to the sender's address and port,
 * with type, DeviceID, tuner count, BaseURL and LineupURL. Replies are rate-limited; malformed packets ignored.
 */
@Injectable()
export class DiscoveryResponderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DiscoveryResponderService.name);
  private endpoint: UdpEndpoint | null = null;
  private readonly gate: RateGate;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly udp: UdpSocketRepository,
    private readonly hdhomerun: HdhomerunService,
    private readonly urls: AdvertisedUrlService,
    private readonly metrics: GatewayMetrics,
    private readonly clock: ClockRepository,
  ) {
    this.gate = new RateGate(REPLIES_PER_SECOND, REPLIES_PER_SECOND, clock.nowMs());
  }

  /** The bound UDP port, null when discovery is off. */
  get port(): number | null {
    return this.endpoint?.port ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.hdhomerun.enabled) return;
    const { discoveryHost: host, discoveryPort: port } = this.config.hdhomerun;
    try {
      this.endpoint = await this.udp.bind({
        host,
        port,
        onMessage: (packet, from) => this.answer(packet, from),
        onError: (error) => this.logger.warn(`discovery socket: ${error.message}`),
      });
      this.logger.log(`HDHomeRun discovery listening on udp://${host}:${this.endpoint.port}`);
    } catch (error) {
      // The HTTP API keeps working; clients can still add the tuner by address.
      this.logger.error(
        `HDHomeRun discovery disabled: cannot bind udp://${host}:${port} (${(error as Error).message}); ` +
          'set E2GATE_HDHR_DISCOVERY_PORT or E2GATE_HDHR_ENABLED=false',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.endpoint?.close();
    this.endpoint = null;
  }

  private answer(packet: Buffer, from: RemoteInfo): void {
    const parsed = parseFrame(packet);
    if (!parsed.ok) return this.metrics.discovery('invalid');
    const device = this.hdhomerun.device();
    if (!isDiscoverRequestFor(parsed.frame, parseInt(device.deviceId, 16)))
      return this.metrics.discovery('ignored');
    if (!this.gate.tryTake(this.clock.nowMs())) return this.metrics.discovery('limited');
    const baseUrl = this.urls.baseUrlFor(from.address);
    const reply = buildDiscoverReply({
      deviceId: parseInt(device.deviceId, 16),
      tunerCount: device.tunerCount,
      baseUrl,
      lineupUrl: `${baseUrl}/lineup.json`,
      deviceAuth: device.deviceAuth,
    });
    this.endpoint?.send(reply, from.port, from.address);
    this.metrics.discovery('answered');
  }
}
