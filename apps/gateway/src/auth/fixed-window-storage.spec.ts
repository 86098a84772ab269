import { describe, expect, it } from 'vitest';
import { FixedWindowThrottlerStorage } from './fixed-window-storage.js';

describe('FixedWindowThrottlerStorage', () => {
  it('counts hits in a window and blocks past the limit for the block duration', async () => {
    let now = 0;
    const storage = new FixedWindowThrottlerStorage(() => now);
    const hit = () => storage.increment('1.2.3.4', 60_000, 3, 30_000, 'default');
    expect((await hit()).isBlocked).toBe(false);
    await hit();
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: false, timeToExpire: 60 });
    now = 1000;
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 30 });
    now = 30_999;
    expect((await hit()).isBlocked).toBe(true);
    now = 61_000;
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps throttlers and clients apart', async () => {
    const storage = new FixedWindowThrottlerStorage(() => 0);
    await storage.increment('a', 1000, 1, 1000, 'default');
    expect((await storage.increment('a', 1000, 1, 1000, 'refresh')).isBlocked).toBe(false);
    expect((await storage.increment('b', 1000, 1, 1000, 'default')).isBlocked).toBe(false);
    expect((await storage.increment('a', 1000, 1, 1000, 'default')).isBlocked).toBe(true);
  });

  it('is bounded in the number of clients it remembers', async () => {
    let now = 0;
    const storage = new FixedWindowThrottlerStorage(() => now, 1000);
    for (let i = 0; i < 10_000; i++) {
      now = i;
      await storage.increment(`client-${i}`, 60_000, 10, 60_000, 'default');
    }
    expect(storage.size).toBeLessThanOrEqual(1000);
  });

  it('counts any number of hits in a window', async () => {
    const storage = new FixedWindowThrottlerStorage(() => 0);
    for (let i = 0; i < 100_000; i++) await storage.increment('busy', 60_000, 1_000_000, 60_000, 'default');
    expect((await storage.increment('busy', 60_000, 1_000_000, 60_000, 'default')).totalHits).toBe(100_001);
  });
});
