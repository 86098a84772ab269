export * from './clock.repository.js';
export * from './instance-name.js';
export * from './logging.js';
export * from './request-id.js';
export * from './scrub.js';
export * from './nats.health.js';
export * from './observability.module.js';
export {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  InjectMetric,
} from '@willsoto/nestjs-prometheus';
export * from './http-metrics.js';
export * from './failed-request-log.js';
export * from './app-version.js';
export * from './crash-handlers.js';
export * from './process-limits.js';
export * from './default-metrics.js';
export * from './log-level.js';
export * from './shutdown-budget.js';
export * from './hangup-notice.js';
