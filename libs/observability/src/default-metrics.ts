import { register } from 'prom-client';

/**
 * prom-client exports each of `nodejs_active_handles`, `…_requests` and `…_resources` twice: by `type`, and summed
 * as a gauge with a counter's `_total` suffix, which `promtool check metrics` rejects and recording rules mistake for
 * a counter. The `_total` copies are dropped; `sum(nodejs_active_handles)` gives the same number.
 */
export function dropMisnamedDefaultMetrics(): void {
  for (const name of ['nodejs_active_handles', 'nodejs_active_requests', 'nodejs_active_resources']) {
    if (register.getSingleMetric(name)) register.removeSingleMetric(`${name}_total`);
  }
}
