import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { promtool } from '../support/promtool.js';

// deploy/prometheus/alerts.yml: valid for Prometheus, each alert unit-tested, each alert's runbook section present;
// deploy/grafana/e2gate.json: well formed. Both use only metrics an app exports (a renamed metric cannot silently
// disarm an alert or blank a panel).

const root = fileURLToPath(new URL('../../', import.meta.url));
const rulesDir = join(root, 'deploy/prometheus');
const rules = readFileSync(join(rulesDir, 'alerts.yml'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every e2gate metric name an app or lib defines. */
function exportedMetrics(): Set<string> {
  return new Set(
    [...sourceFiles(join(root, 'apps')), ...sourceFiles(join(root, 'libs'))].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/'(e2gate_[a-z_]+)'/g)].map((match) => match[1] as string),
    ),
  );
}

/** The e2gate metrics a PromQL text uses (histogram suffixes taken off). */
function metricsUsed(promql: string): Set<string> {
  return new Set(
    [...promql.matchAll(/\b(e2gate_[a-z_]+?)(?:_bucket|_count|_sum)?\b(?=[{\s[)])/g)].map(
      (m) => m[1] as string,
    ),
  );
}

describe('alert rules', () => {
  it('pass promtool check rules', async () => {
    const result = await promtool(['check', 'rules', 'alerts.yml'], rulesDir);
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it('are loaded by a scrape configuration that passes promtool check config', async () => {
    const result = await promtool(['check', 'config', 'prometheus.yml'], rulesDir);
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it('scrape every transcoder service of docker-compose.yml (the GPU profiles too) under the job alerts expect', () => {
    const scrape = readFileSync(join(rulesDir, 'prometheus.yml'), 'utf8');
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    const transcoders = [...compose.matchAll(/^ {2}(transcoder[\w-]*):$/gm)].map((match) => match[1]);
    expect(transcoders).toEqual(['transcoder', 'transcoder-vaapi', 'transcoder-nvidia']);
    expect(scrape).toContain(`names: [${transcoders.join(', ')}]`);
    expect(rules).toContain('job="e2gate-transcoder"');
  });

  it("have the runbook's incident sections they point at (receiver down, refresh stuck, OOM, FDs, …)", () => {
    const runbook = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    const incidents = [
      'Receiver down',
      'Refresh stuck',
      'Out of memory, restart loop',
      'File descriptors exhausted',
      '5xx or crash spike',
      'Tuner exhaustion',
      'NATS node loss',
    ];
    for (const incident of incidents) {
      const section = runbook.split(`\n### ${incident}\n`)[1]?.split('\n### ')[0] ?? '';
      expect(section, incident).toMatch(/\*\*Means\*\*|\*\*Confirm\*\*/);
      expect(section, incident).toContain('**Do**');
    }
  });

  it('pass their unit tests (promtool test rules)', async () => {
    const result = await promtool(['test', 'rules', 'alerts.test.yml'], rulesDir);
    expect(result.code, result.output).toBe(0);
  });

  it('are each unit-tested and have a runbook section in docs/operations.md', () => {
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1] as string);
    const tests = readFileSync(join(rulesDir, 'alerts.test.yml'), 'utf8');
    const runbook = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    expect(alerts.length).toBeGreaterThanOrEqual(15);
    for (const alert of alerts) {
      expect(tests, `${alert} has no test`).toContain(`alertname: ${alert}\n`);
      expect(runbook, `${alert} has no runbook section`).toContain(`\n### ${alert}\n`);
      expect(rules, `${alert} links another section`).toContain(`docs/operations.md#${alert.toLowerCase()}`);
    }
  });

  it('use only metrics the apps export', () => {
    const used = metricsUsed(rules);
    const exported = exportedMetrics();
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/e2gate.json'), 'utf8')) as {
    uid: string;
    panels: { title: string; gridPos: { x: number; y: number }; targets: { expr: string }[] }[];
  };

  it('has a panel per area, each with a query, none on top of another', () => {
    expect(dashboard.uid).toBe('e2gate');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(15);
    const places = new Set(dashboard.panels.map((panel) => `${panel.gridPos.x},${panel.gridPos.y}`));
    expect(places.size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
  });

  it('queries only metrics the apps export', () => {
    const exported = exportedMetrics();
    const used = metricsUsed(
      dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr)).join('\n'),
    );
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});
