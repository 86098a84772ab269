import {
  BulkheadPolicy,
  bulkhead,
  CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  retry,
  RetryPolicy,
  timeout,
  TimeoutPolicy,
  TimeoutStrategy,
} from 'cockatiel';
import { ErrorCode } from '@e2gate/contracts';
import type { BreakerState, ReceiverObserver } from './models.js';
import { RateLimiter } from './rate-limiter.js';
import { ReceiverError } from './receiver-error.js';

/**
 * The box's request budget shared with the other processes that talk to it (catalog, transcoders): a request
 * takes one of its tokens after this process's own rate limit let it through. NATS-backed in the apps.
 */
export interface SharedRequestBudget {
  take(signal: AbortSignal): Promise<void>;
}

export interface ReceiverPolicyOptions {
  /** Per attempt. */
  timeoutMs: number;
  retries: number;
  maxRps: number;
  concurrency: number;
  epgConcurrency: number;
  /** Consecutive failed calls (after their retries) that open the breaker. */
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxQueue: number;
  /** The receiver's budget across processes; without it, only this process's rate limit applies. */
  sharedBudget?: SharedRequestBudget;
}

export const DEFAULT_POLICY: Omit<
  ReceiverPolicyOptions,
  'timeoutMs' | 'retries' | 'maxRps' | 'concurrency' | 'epgConcurrency'
> = {
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 10_000,
  backoffInitialMs: 200,
  backoffMaxMs: 5_000,
  maxQueue: 10_000,
};

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const isTransient = (error: Error) => error instanceof ReceiverError && error.transient;

/**
 * Every receiver call runs through: circuit breaker → retry with jittered exponential backoff (transient
 * errors only) → bulkhead (concurrency; EPG calls also through a tighter one) → token-bucket rate limit →
 * per-attempt timeout (cooperative: the attempt's fetch is aborted) → the attempt. The breaker counts calls whose retries are exhausted.
 */
export class ReceiverPolicy {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryPolicy;
  private readonly general: BulkheadPolicy;
  private readonly heavy: BulkheadPolicy;
  private readonly limiter: RateLimiter;
  private readonly timeout: TimeoutPolicy;
  private readonly sharedBudget: SharedRequestBudget | undefined;

  constructor(options: ReceiverPolicyOptions, observer: ReceiverObserver = {}) {
    this.sharedBudget = options.sharedBudget;
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.breaker.onStateChange((state) => observer.onBreakerStateChange?.(BREAKER_STATES[state]));
    this.retry = retry(handleWhen(isTransient), {
      maxAttempts: options.retries,
      backoff: new ExponentialBackoff({
        initialDelay: options.backoffInitialMs,
        maxDelay: options.backoffMaxMs,
      }),
    });
    this.general = bulkhead(options.concurrency, options.maxQueue);
    this.heavy = bulkhead(options.epgConcurrency, options.maxQueue);
    this.timeout = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: true });
    this.limiter = new RateLimiter(options.maxRps, Math.max(1, options.maxRps * 2), options.maxQueue);
  }

  get breakerState(): BreakerState {
    return BREAKER_STATES[this.breaker.state];
  }

  /**
   * Runs one receiver call. `caller` cancels it (e.g. a refresh watchdog): the attempt in flight is aborted,
   * no retry follows, and the cancellation is neither retried nor counted by the breaker.
   */
  async run<T>(
    endpoint: string,
    heavy: boolean,
    attempt: (signal: AbortSignal) => Promise<T>,
    caller?: AbortSignal,
  ): Promise<T> {
    caller?.throwIfAborted();
    const cancellable = async (signal: AbortSignal) => {
      try {
        return await attempt(signal);
      } catch (error) {
        if (caller?.aborted) throw caller.reason;
        throw error;
      }
    };
    try {
      return await this.breaker.execute(
        ({ signal: outer }) =>
          this.retry.execute(({ signal: retrySignal }) => {
            const limited = () =>
              this.general.execute(async ({ signal: slotSignal }) => {
                await this.limiter.take(endpoint);
                await this.sharedBudget?.take(slotSignal);
                return this.timeout.execute(({ signal }) => cancellable(signal), slotSignal);
              }, retrySignal);
            return heavy ? this.heavy.execute(limited, retrySignal) : limited();
          }, outer),
        caller,
      );
    } catch (error) {
      if (caller?.aborted) throw caller.reason;
      throw translatePolicyError(endpoint, error);
    }
  }
}

function translatePolicyError(endpoint: string, error: unknown): unknown {
  if (isBrokenCircuitError(error) || isIsolatedCircuitError(error)) {
    return new ReceiverError(
      ErrorCode.ReceiverCircuitOpen,
      'receiver circuit breaker is open after repeated failures',
      {
        endpoint,
      },
    );
  }
  if (isBulkheadRejectedError(error)) {
    return new ReceiverError(ErrorCode.ReceiverOverloaded, 'too many receiver requests queued', { endpoint });
  }
  return error;
}
