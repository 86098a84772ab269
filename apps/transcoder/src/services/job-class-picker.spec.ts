import { describe, expect, it } from 'vitest';
import type { JobClass } from '@e2gate/contracts';
import { JobClassPicker } from './job-class-picker.js';

/** Which class gets each of `cycles` pulls when every queue always has work. */
function shares(
  picker: JobClassPicker,
  cycles: number,
  freeSlots = 4,
  now = () => 0,
): Record<JobClass, number> {
  const counts: Record<JobClass, number> = { live: 0, interactive: 0, batch: 0 };
  for (let i = 0; i < cycles; i++) {
    const first = picker.order(freeSlots, 4, now())[0];
    if (!first) continue;
    counts[first]++;
    picker.served(first, now());
  }
  return counts;
}

describe('JobClassPicker', () => {
  it('serves live, interactive and batch 8:3:1 when all have work', () => {
    expect(shares(new JobClassPicker(60_000, 0), 120)).toEqual({ live: 80, interactive: 30, batch: 10 });
  });

  it('never starves batch: it is first at least once in every twelve cycles', () => {
    const picker = new JobClassPicker(60_000, 0);
    const firsts = Array.from({ length: 24 }, () => picker.order(4, 4, 0)[0]);
    for (let start = 0; start + 12 <= firsts.length; start += 12) {
      expect(firsts.slice(start, start + 12)).toContain('batch');
    }
  });

  it('puts a class first once nobody served it for the aging time', () => {
    let now = 0;
    const picker = new JobClassPicker(1_000, 0);
    picker.served('live', 0);
    picker.served('interactive', 0);
    now = 1_500;
    picker.served('live', now);
    picker.served('interactive', now);
    expect(picker.order(4, 4, now)[0]).toBe('batch');
  });

  it('keeps the last free slot from batch work (live and interactive may take it)', () => {
    const picker = new JobClassPicker(60_000, 0);
    for (let i = 0; i < 24; i++) expect(picker.order(1, 4, 0)).not.toContain('batch');
    expect(picker.order(1, 1, 0)).toContain('batch');
  });

  it('offers nothing without a free slot', () => {
    expect(new JobClassPicker(60_000, 0).order(0, 4, 0)).toEqual([]);
  });
});
