import { ErrorCode } from '@e2gate/contracts';
import { ReceiverError } from './receiver-error.js';

/**
 * Token bucket: `ratePerSecond` sustained, bursts up to `burst`. Waiters are served in order; the queue is
 * bounded so a runaway caller gets RECEIVER_OVERLOADED instead of unbounded memory.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxQueue = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  get queued(): number {
    return this.waiters.length;
  }

  async take(endpoint: string): Promise<void> {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return;
    }
    if (this.waiters.length >= this.maxQueue) {
      throw new ReceiverError(
        ErrorCode.ReceiverOverloaded,
        `receiver request queue is full (${this.maxQueue})`,
        {
          endpoint,
        },
      );
    }
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()?.();
      }
      if (this.waiters.length > 0) this.schedule();
    }, wait);
  }
}
