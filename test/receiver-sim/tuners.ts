/**
 * The box's tuners. A stream tunes a free tuner or shares one already tuned to the same transponder; when
 * every tuner is busy on other transponders the stream fails (openwebif.md §9).
 */

export interface TunerLease {
  readonly tuner: number;
  release(): void;
}

interface TunerState {
  transponder: string;
  users: number;
  /** Names of the services streaming from this tuner, for /api/about. */
  services: Map<string, number>;
}

export class TunerPool {
  private readonly tuners: (TunerState | null)[];

  constructor(readonly count: number) {
    this.tuners = Array.from({ length: count }, () => null);
  }

  /** A lease on a tuner for the transponder, or null when all tuners are busy elsewhere. */
  acquire(transponder: string, serviceName: string): TunerLease | null {
    let index = this.tuners.findIndex((tuner) => tuner?.transponder === transponder);
    if (index < 0) index = this.tuners.findIndex((tuner) => tuner === null);
    if (index < 0) return null;
    const state = this.tuners[index] ?? { transponder, users: 0, services: new Map<string, number>() };
    state.users++;
    state.services.set(serviceName, (state.services.get(serviceName) ?? 0) + 1);
    this.tuners[index] = state;
    let released = false;
    return {
      tuner: index,
      release: () => {
        if (released) return;
        released = true;
        const users = (state.services.get(serviceName) ?? 1) - 1;
        if (users > 0) state.services.set(serviceName, users);
        else state.services.delete(serviceName);
        state.users--;
        if (state.users === 0) this.tuners[index] = null;
      },
    };
  }

  inUse(): number {
    return this.tuners.filter((tuner) => tuner !== null).length;
  }

  /** Per tuner: the service names it is streaming ("" when idle). */
  snapshot(): string[] {
    return this.tuners.map((tuner) => (tuner ? [...tuner.services.keys()].join(', ') : ''));
  }
}
