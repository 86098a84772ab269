import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { createLoggerParams, type LoggingOptions } from './logging.js';
import { NatsHealthIndicator } from './nats.health.js';

/** Logging, Prometheus metrics on `/metrics` and health indicators for one app. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot(createLoggerParams(options)),
        PrometheusModule.register({
          path: '/metrics',
          defaultMetrics: { enabled: true },
          defaultLabels: { service: options.service },
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [NatsHealthIndicator],
      exports: [NatsHealthIndicator, TerminusModule, PrometheusModule],
    };
  }
}
