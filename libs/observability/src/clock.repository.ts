import { Injectable } from '@nestjs/common';

/**
 * The clock of every app, behind an injectable seam so time logic can be tested with a frozen or shifted clock
 * (tests subclass it and override `nowMs`).
 */
@Injectable()
export class ClockRepository {
  nowMs(): number {
    return Date.now();
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /**
   * The host's real wall clock, never frozen (not even where `nowMs` is, in tests): for deadlines that other
   * processes compare, like the refresh lease.
   */
  systemMs(): number {
    return Date.now();
  }

  /** For durations: monotonic, unaffected by wall-clock changes (and by a frozen wall clock in tests). */
  monotonicMs(): number {
    return performance.now();
  }
}
