import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, FaultDice, FaultsError, authorized, mergeFaults } from './faults.js';

describe('fault knobs', () => {
  it('merges a valid patch and leaves the rest at defaults', () => {
    const merged = mergeFaults(DEFAULT_FAULTS, {
      latencyMs: [10, 20],
      errorRate: 0.5,
      failingBouquets: ['Sport'],
      failingEpg: ['ZDF'],
      hiddenEntries: true,
    });
    expect(merged).toMatchObject({
      failingEpg: ['ZDF'],
      latencyMs: [10, 20],
      errorRate: 0.5,
      failingBouquets: ['Sport'],
      hiddenEntries: true,
      hangMs: 60_000,
    });
    expect(DEFAULT_FAULTS.hiddenEntries).toBe(false);
    expect(DEFAULT_FAULTS.failingBouquets).toEqual([]);
  });

  it.each([
    [{ errorRate: 2 }, /errorRate/],
    [{ latencyMs: [20, 10] }, /min <= max/],
    [{ latencyMs: 5 }, /latencyMs/],
    [{ auth: { user: 'a:b', password: 'x' } }, /auth/],
    [{ hangMs: -1 }, /hangMs/],
    [{ hiddenEntries: 'yes' }, /hiddenEntries must be a boolean/],
    [{ failingEpg: 'ZDF' }, /failingEpg must be a list of strings/],
    [{ nope: true }, /unknown fault "nope"/],
    [null, /object/],
  ])('rejects %j with a clear message', (patch, message) => {
    expect(() => mergeFaults(DEFAULT_FAULTS, patch)).toThrow(FaultsError);
    expect(() => mergeFaults(DEFAULT_FAULTS, patch)).toThrow(message);
  });

  it('checks Basic credentials', () => {
    const auth = { user: 'root', password: 'p:ss' };
    expect(authorized(undefined, null)).toBe(true);
    expect(authorized(undefined, auth)).toBe(false);
    expect(authorized(`Basic ${Buffer.from('root:p:ss').toString('base64')}`, auth)).toBe(true);
    expect(authorized(`Basic ${Buffer.from('root:wrong').toString('base64')}`, auth)).toBe(false);
  });

  it('rolls the dice reproducibly from the seed, near the configured rate', () => {
    const rolls = (seed: number): boolean[] => {
      const dice = new FaultDice(seed);
      return Array.from({ length: 2000 }, () => dice.hit(0.2));
    };
    expect(rolls(5)).toEqual(rolls(5));
    const hits = rolls(5).filter(Boolean).length;
    expect(hits).toBeGreaterThan(300);
    expect(hits).toBeLessThan(500);
    expect(new FaultDice(1).hit(0)).toBe(false);
  });
});
