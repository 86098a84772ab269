import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

export const SHUTDOWN_BUDGET_MS = Symbol('SHUTDOWN_BUDGET_MS');

/** The signals that shut an app down; SIGHUP is not one of them (settings reload, or `HangupNotice`). */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** The budgets of the apps of this process (one in production, several in tests), behind one listener per signal. */
const budgets = new Set<ShutdownBudget>();
const armAll = (signal: string) => () => {
  for (const budget of budgets) budget.arm(signal);
};
const listeners = SHUTDOWN_SIGNALS.map((signal) => [signal, armAll(signal)] as const);

/**
 * A bounded shutdown. Once SIGTERM or SIGINT arrives the process has `E2GATE_SHUTDOWN_BUDGET` for all of it: Nest
 * runs independent hooks in parallel (viewers ended, jobs handed back, HTTP closed) and the modules they depend on
 * after them, so NATS drains last. Whatever
 * still runs when the budget is spent (a NATS server that does not answer the drain, a hook that waits on a stuck
 * peer) does not keep the process: it says so and exits 1, and the supervisor starts it again.
 */
@Injectable()
export class ShutdownBudget implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private armed = false;

  constructor(@Inject(SHUTDOWN_BUDGET_MS) private readonly budgetMs: number) {}

  onModuleInit(): void {
    if (budgets.size === 0) for (const [signal, listener] of listeners) process.once(signal, listener);
    budgets.add(this);
  }

  /** This app no longer listens (an app closed in a process that goes on, as in tests); an armed budget stays. */
  onApplicationShutdown(): void {
    budgets.delete(this);
    if (budgets.size === 0) for (const [signal, listener] of listeners) process.off(signal, listener);
  }

  arm(signal: string): void {
    if (this.armed) return;
    this.armed = true;
    const started = Date.now();
    this.logger.log(`shutting down (${signal}) within ${this.budgetMs} ms`);
    setTimeout(() => {
      this.logger.error(
        `shutdown still running ${Date.now() - started} ms after ${signal}, over its budget of ${this.budgetMs} ms: ` +
          'exiting with code 1',
      );
      process.exit(1);
    }, this.budgetMs).unref();
  }
}
