import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Gauge, register } from 'prom-client';

const METRIC = 'e2gate_process_memory_limit_bytes';

/**
 * `e2gate_process_memory_limit_bytes`: the memory this process may use — its cgroup's limit (a container's
 * `mem_limit`, a systemd `MemoryMax`) or, without one, the machine's memory. Beside prom-client's
 * `process_resident_memory_bytes` it lets an alert fire before the OOM killer does. Once per process.
 */
export function registerProcessLimits(): void {
  if (register.getSingleMetric(METRIC)) return;
  const limit = memoryLimitBytes();
  new Gauge({
    name: METRIC,
    help: "Memory this process may use: its cgroup's limit, else the machine's memory",
    collect() {
      this.set(limit);
    },
  });
}

export function memoryLimitBytes(): number {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const text = readFileSync(path, 'utf8').trim();
      const value = Number(text);
      // cgroup v1 reports "no limit" as a number near 2^63.
      if (text !== 'max' && Number.isFinite(value) && value > 0 && value < 2 ** 60) return value;
    } catch {
      // not this cgroup version
    }
  }
  return totalmem();
}
