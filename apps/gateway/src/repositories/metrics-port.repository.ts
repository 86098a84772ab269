import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { register } from 'prom-client';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';

/** `/metrics` on its own port when `E2GATE_METRICS_PORT` is set (kept off the public port then). */
@Injectable()
export class MetricsPortRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsPortRepository.name);
  private server: Server | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig) {}

  get port(): number | null {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === 0) return;
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
        response
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"code":"NOT_FOUND","message":"only /metrics"}');
        return;
      }
      register.metrics().then(
        (text) => response.writeHead(200, { 'content-type': register.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.config.metricsPort, this.config.http.host, () => resolve());
    });
    this.logger.log(`metrics on http://${this.config.http.host}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
