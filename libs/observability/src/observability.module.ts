import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { LoggerModule } from 'nestjs-pino';
import { createLoggerParams, type LoggingOptions } from './logging.js';
import { NatsHealthIndicator } from './nats.health.js';
import { dropMisnamedDefaultMetrics } from './default-metrics.js';
import { registerProcessLimits } from './process-limits.js';
import { registerBuildInfo } from './app-version.js';
import { SHUTDOWN_BUDGET_MS, ShutdownBudget } from './shutdown-budget.js';

const DEFAULT_SHUTDOWN_BUDGET_MS = 20_000;

/** Logging, Prometheus metrics on `/metrics` and health indicators for one app. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: LoggingOptions & { shutdownBudgetMs?: number }): DynamicModule {
    registerProcessLimits();
    registerBuildInfo();
    const prometheus = PrometheusModule.register({
      path: '/metrics',
      // prom-client's registry is process-wide: a second app in the same process (tests) must not
      // register the default metrics again.
      defaultMetrics: {
        enabled: register.getSingleMetric('process_cpu_user_seconds_total') === undefined,
      },
      defaultLabels: { service: options.service },
    });
    // The default metrics exist once `register` ran.
    dropMisnamedDefaultMetrics();
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot(createLoggerParams(options)),
        prometheus,
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [
        NatsHealthIndicator,
        { provide: SHUTDOWN_BUDGET_MS, useValue: options.shutdownBudgetMs ?? DEFAULT_SHUTDOWN_BUDGET_MS },
        ShutdownBudget,
      ],
      exports: [NatsHealthIndicator, TerminusModule, PrometheusModule],
    };
  }
}
