import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogProcess, startTranscoderProcess, type AppProcess } from '../../support/app-process.js';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { checkMetrics } from '../../support/promtool.js';
import { fixturePath } from '../../../native/test/support/fixtures.js';
import { startReceiverSim, type ReceiverSim } from '../../receiver-sim/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { call } from './support/http.js';

/**
 * What every app does as a process (built first: `npm run build`): its start log names each setting's source and
 * warns about misspelt variables; every answer carries `X-API-Version`; an uncaught exception or unhandled rejection
 * is logged, counted across restarts (`e2gate_process_crashes_total`) and ends the process with exit code 1.
 */
const CRASH_HANDLERS = fileURLToPath(
  new URL('../../../dist/libs/observability/src/crash-handlers.js', import.meta.url),
);
const HEAD_COMMIT = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const NATIVE = fileURLToPath(new URL('../../../native/index.js', import.meta.url));

let nats: RunningNatsServer;
let gateway: GatewayProcess | undefined;
let sim: ReceiverSim | undefined;
const apps: AppProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'e2gate-crash-'));

/** The catalog and transcoder processes, started by the first test that needs them. */
async function catalogAndTranscoder(): Promise<AppProcess[]> {
  if (apps.length > 0) return apps;
  sim = await startReceiverSim({ bouquets: 1, channels: 4, epgDays: 1 });
  const env = { E2GATE_DATA_DIR: join(dataDir, 'apps') };
  apps.push(await startCatalogProcess({ natsUrl: nats.url, receiverUrl: sim.url, env }));
  apps.push(await startTranscoderProcess({ natsUrl: nats.url, receiverUrl: sim.url, env }));
  return apps;
}

beforeAll(async () => {
  nats = await startNatsServer();
  gateway = await startGatewayProcess({
    natsUrl: nats.url,
    env: { E2GATE_RATE_LIMT: '5', E2GATE_RATE_LIMIT: '500' },
  });
}, 120_000);
afterAll(async () => {
  for (const app of apps) await app.stop('SIGTERM');
  await sim?.close();
  await gateway?.dispose();
  await nats?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('start log', () => {
  it('warns about a misspelt variable with the name it probably meant', async () => {
    const warning = await gateway!.logLine(/E2GATE_RATE_LIMT/, 5_000);
    expect(warning).toBe(
      'E2GATE_RATE_LIMT is not a setting of e2gate and is ignored (did you mean E2GATE_RATE_LIMIT?)',
    );
  });

  it('says for every setting whether it is set or the default', async () => {
    await gateway!.logLine(/^settings \(set: from the environment/, 5_000);
  });
});

describe('X-API-Version', () => {
  it('is on every answer: success, error, unknown route, metrics', async () => {
    for (const path of ['/healthz', '/api/v1/channels', '/no/such/route', '/metrics']) {
      const reply = await call(`${gateway!.url}${path}`);
      expect(reply.headers.get('x-api-version'), path).toBe('1');
    }
  });
});

describe('crash handlers', () => {
  /** A node process that installs the handlers with `dataDir` and then runs `body`; its exit and output. */
  function crashing(body: string): Promise<{ code: number | null; stdout: string }> {
    const script =
      `const { installCrashHandlers } = await import(${JSON.stringify(CRASH_HANDLERS)});\n` +
      `installCrashHandlers({ service: 'probe', dataDir: ${JSON.stringify(dataDir)} });\n` +
      body;
    return new Promise((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout }),
      );
    });
  }

  it('logs an uncaught exception with its stack and exits 1', async () => {
    const run = await crashing("setTimeout(() => { throw new Error('boom in a callback'); }, 10);");
    expect(run.code).toBe(1);
    const line = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 60, service: 'probe', kind: 'uncaught_exception' });
    expect(line['msg']).toBe('probe crashed (uncaught_exception): boom in a callback');
    expect((line['err'] as { stack: string }).stack).toContain('boom in a callback');
  });

  it('logs an unhandled rejection and exits 1', async () => {
    const run = await crashing("Promise.reject(new Error('nobody awaited me'));");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('probe crashed (unhandled_rejection): nobody awaited me');
  });

  /** A script body that feeds a live pipeline whose output callback is `callback` (JS source). */
  const pipelineWith = (callback: string) =>
    `const native = await import(${JSON.stringify(NATIVE)});\n` +
    `const { readFileSync } = await import('node:fs');\n` +
    `const pipeline = new (native.default ?? native).LivePipeline({ output: 'ts' }, ${callback});\n` +
    `pipeline.push(readFileSync(${JSON.stringify(fixturePath('radio_mp2'))}));\n` +
    // Only reached when the callback's failure went unnoticed.
    `setTimeout(() => process.exit(7), 10_000);`;

  it('takes a native pipeline callback that throws as an uncaught exception, with its stack', async () => {
    const run = await crashing(pipelineWith("() => { throw new Error('thrown in a pipeline callback'); }"));
    expect(run.code).toBe(1);
    const line = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ kind: 'uncaught_exception' });
    expect(line['msg']).toBe('probe crashed (uncaught_exception): thrown in a pipeline callback');
    expect((line['err'] as { stack: string }).stack).toContain('thrown in a pipeline callback');
  });

  it('takes a native pipeline callback whose promise rejects as an unhandled rejection', async () => {
    const run = await crashing(
      pipelineWith("async () => { throw new Error('rejected in a pipeline callback'); }"),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('probe crashed (unhandled_rejection): rejected in a pipeline callback');
  });

  it('counts crashes across the restarts they cause', async () => {
    const run = await crashing(
      "const { register } = await import('prom-client');\n" +
        "console.log(await register.getSingleMetricAsString('e2gate_process_crashes_total'));",
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('e2gate_process_crashes_total{kind="uncaught_exception"} 2');
    expect(run.stdout).toContain('e2gate_process_crashes_total{kind="unhandled_rejection"} 2');
    expect(
      readFileSync(join(dataDir, 'probe', 'crashes.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(4);
  });

  it('is installed in the gateway: its metric is exported from the start', async () => {
    const metrics = (await call(`${gateway!.url}/metrics`)).text;
    expect(metrics).toMatch(
      /^e2gate_process_crashes_total\{kind="uncaught_exception",service="gateway"\} 0$/m,
    );
  });
});

describe('/metrics of every app', () => {
  it('passes promtool check metrics (names, types, help, units)', async () => {
    for (const url of [gateway!.url, ...(await catalogAndTranscoder()).map((app) => app.url)]) {
      const exposition = (await call(`${url}/metrics`)).text;
      expect(exposition).toContain('e2gate_process_crashes_total');
      expect(exposition).toContain('e2gate_process_memory_limit_bytes');
      // The release and the commit of this checkout (no build-info.json outside an image).
      expect(exposition).toMatch(
        new RegExp(`^e2gate_build_info\\{version="[^"]+",commit="${HEAD_COMMIT}",service="\\w+"\\} 1$`, 'm'),
      );
      const checked = await checkMetrics(exposition);
      expect(checked.output, url).toBe('');
      expect(checked.code, url).toBe(0);
    }
  }, 120_000);
});

describe('SIGHUP', () => {
  it('leaves the catalog and the transcoder running (they have nothing to reload)', async () => {
    for (const app of await catalogAndTranscoder()) app.child.kill('SIGHUP');
    await new Promise((done) => setTimeout(done, 1_000));
    for (const app of apps) {
      expect(app.child.exitCode, app.url).toBeNull();
      expect(app.child.signalCode, app.url).toBeNull();
      expect((await call(`${app.url}/healthz`)).status, app.url).toBe(200);
    }
  }, 120_000);
});
