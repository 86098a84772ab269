import { Injectable } from '@nestjs/common';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { SessionStoreRepository } from '../repositories/session-store.repository.js';
import { allocateTuner, releaseTuners, tunersInUse } from './tuner-allocation.js';

const MAX_ATTEMPTS = 20;
/** What `Retry-After` says when every tuner is busy: about how long a player's retry should wait. */
export const TUNERS_BUSY_RETRY_SECONDS = 10;

/**
 * Tuners across the cluster: one shared allocation record changed by compare-and-set, so two nodes opening
 * channels on different transponders at the same instant cannot both take the last tuner. Sessions whose records
 * lapsed (their node died) are pruned before a request is refused.
 */
@Injectable()
export class TunerAdmissionService {
  constructor(private readonly store: SessionStoreRepository) {}

  /** Takes (or shares) the tuner of `transponder` for `sessionId`; `TUNERS_BUSY` when none is free. */
  async acquire(transponder: string, sessionId: string, tuners: number): Promise<void> {
    let pruned = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { value, revision } = await this.store.tuners();
      const result = allocateTuner(value, transponder, sessionId, tuners);
      if (result.ok) {
        if (await this.store.updateTuners(result.allocation, revision)) return;
        continue;
      }
      if (!pruned) {
        pruned = true;
        if (await this.prune()) continue;
      }
      throw new E2gateError(
        ErrorCode.TunersBusy,
        `all ${tuners} tuners of the receiver are in use by other channels; try again later`,
        { tuners, inUse: result.inUse, retryAfterSeconds: TUNERS_BUSY_RETRY_SECONDS },
      );
    }
    throw new E2gateError(ErrorCode.Unavailable, 'the tuner allocation is changing too fast; try again');
  }

  /** Gives the tuner back when its last session ends. */
  async release(sessionId: string): Promise<void> {
    await this.change((id) => id === sessionId);
  }

  /** Drops sessions whose record is gone (ended elsewhere, or lapsed with a dead node); true when any was. */
  async prune(): Promise<boolean> {
    const live = new Set((await this.store.list()).map((record) => record.sessionId));
    return this.change((id) => !live.has(id));
  }

  async inUse(): Promise<number> {
    return tunersInUse((await this.store.tuners()).value);
  }

  private async change(gone: (sessionId: string) => boolean): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { value, revision } = await this.store.tuners();
      const next = releaseTuners(value, gone);
      if (JSON.stringify(next) === JSON.stringify(value)) return false;
      if (await this.store.updateTuners(next, revision)) return true;
    }
    return false;
  }
}
