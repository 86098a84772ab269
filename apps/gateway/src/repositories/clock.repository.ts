import { Injectable } from '@nestjs/common';

/** The wall clock, injectable so tests can freeze it. */
@Injectable()
export class ClockRepository {
  nowMs(): number {
    return Date.now();
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}
