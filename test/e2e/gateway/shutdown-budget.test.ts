import { afterEach, describe, expect, it } from 'vitest';
import { startNatsServer, type RunningNatsServer } from '../../support/nats-server.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';

// E2GATE_SHUTDOWN_BUDGET on a real process: after SIGTERM the whole shutdown has the budget; a hook that hangs (here
// the NATS drain, with the server frozen by SIGSTOP) does not keep the process alive past it.

const BUDGET_MS = 3000;
let nats: RunningNatsServer | undefined;
let gateway: GatewayProcess | undefined;

afterEach(async () => {
  nats?.resume();
  await gateway?.dispose();
  await nats?.stop();
  gateway = undefined;
  nats = undefined;
});

async function start(): Promise<{ nats: RunningNatsServer; gateway: GatewayProcess }> {
  nats = await startNatsServer();
  gateway = await startGatewayProcess({
    natsUrl: nats.url,
    env: { E2GATE_SHUTDOWN_BUDGET: `${BUDGET_MS / 1000}s`, E2GATE_SHUTDOWN_GRACE: '1s' },
  });
  return { nats, gateway };
}

describe('shutdown budget', () => {
  it('ends a shutdown that hangs at its budget, says so, and exits 1 for the supervisor', async () => {
    const { nats, gateway } = await start();
    nats.pause();
    const started = performance.now();
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    const tookMs = performance.now() - started;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(tookMs).toBeGreaterThanOrEqual(BUDGET_MS - 100);
    expect(tookMs).toBeLessThan(BUDGET_MS + 3000);
    expect(await gateway.logLine(/over its budget of 3000 ms: exiting with code 1$/, 1000)).toMatch(
      /^shutdown still running \d+ ms after SIGTERM/,
    );
  }, 60_000);

  it('lets a shutdown that finishes in time end as the signal asked, well within the budget', async () => {
    const { gateway } = await start();
    const started = performance.now();
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    expect(exit.code === 1).toBe(false);
    expect(performance.now() - started).toBeLessThan(BUDGET_MS);
    await gateway.logLine(/^shutting down \(SIGTERM\) within 3000 ms$/, 1000);
  }, 60_000);
});
