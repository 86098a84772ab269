import { describe, expect, it } from 'vitest';
import { allocateTuner, EMPTY_ALLOCATION, releaseTuners, tunersInUse } from './tuner-allocation.js';

describe('tuner allocation', () => {
  it('gives each transponder one tuner, shares it within the transponder and refuses a third with two tuners', () => {
    const a = allocateTuner(EMPTY_ALLOCATION, 'T1', 's1', 2);
    expect(a).toMatchObject({ ok: true, shared: false });
    if (!a.ok) return;
    const b = allocateTuner(a.allocation, 'T2', 's2', 2);
    if (!b.ok) throw new Error('T2 refused');
    expect(allocateTuner(b.allocation, 'T3', 's3', 2)).toEqual({ ok: false, inUse: 2 });
    const shared = allocateTuner(b.allocation, 'T1', 's4', 2);
    expect(shared).toMatchObject({ ok: true, shared: true });
    if (!shared.ok) return;
    expect(shared.allocation.transponders['T1']).toEqual(['s1', 's4']);
    expect(tunersInUse(shared.allocation)).toBe(2);
  });

  it('frees a tuner when the last session of its transponder is gone', () => {
    const held = { transponders: { T1: ['s1', 's4'], T2: ['s2'] } };
    const afterS2 = releaseTuners(held, (id) => id === 's2');
    expect(afterS2).toEqual({ transponders: { T1: ['s1', 's4'] } });
    expect(allocateTuner(afterS2, 'T3', 's3', 2)).toMatchObject({ ok: true, shared: false });
    expect(releaseTuners(held, (id) => id !== 's2')).toEqual({ transponders: { T2: ['s2'] } });
  });

  it('is idempotent for a session already counted', () => {
    const held = { transponders: { T1: ['s1'] } };
    const again = allocateTuner(held, 'T1', 's1', 1);
    expect(again).toEqual({ ok: true, shared: true, allocation: held });
  });
});
