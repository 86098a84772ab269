import { describe, expect, it } from 'vitest';
import { placeSession } from './placement.js';

const node = (nodeId: string, sessions: number, capacity = 10) => ({ nodeId, sessions, capacity });

describe('placeSession', () => {
  it('keeps a session here on a tie and sends it to a less busy node otherwise', () => {
    expect(placeSession(node('a', 1), [node('b', 1)])).toBe('a');
    expect(placeSession(node('a', 2), [node('b', 1)])).toBe('b');
    expect(placeSession(node('a', 5, 10), [node('b', 2, 2), node('c', 4, 20)])).toBe('c');
  });

  it('hands a full node sessions to one with room, and says so when every node is full', () => {
    expect(placeSession(node('a', 10), [node('b', 9)])).toBe('b');
    expect(placeSession(node('a', 10), [node('b', 10)])).toBeNull();
    expect(placeSession(node('a', 0), [])).toBe('a');
  });

  it('ignores its own record among the others', () => {
    expect(placeSession(node('a', 3), [node('a', 0), node('b', 3)])).toBe('a');
  });
});

describe('placeSession for a session that transcodes video', () => {
  const load = (nodeId: string, sessions: number, transcodeSessions: number, transcodeCapacity = 2) => ({
    nodeId,
    sessions,
    capacity: 20,
    transcodeSessions,
    transcodeCapacity,
  });
  const transcodes = { slots: 1 };

  it('places it by encoder load, never on a node whose encoders are busy or that has none', () => {
    expect(placeSession(load('a', 1, 1), [load('b', 8, 0)], transcodes)).toBe('b');
    expect(placeSession(load('a', 1, 2), [load('b', 1, 2)], transcodes)).toBeNull();
    expect(placeSession(load('a', 1, 0, 0), [node('b', 0)], transcodes)).toBeNull();
    expect(placeSession(load('a', 1, 2), [load('b', 1, 2)])).toBe('a');
  });

  it('places a ladder (two slots) only where two slots are free', () => {
    expect(placeSession(load('a', 1, 1), [load('b', 1, 0)], { slots: 2 })).toBe('b');
    expect(placeSession(load('a', 1, 1), [load('b', 1, 1)], { slots: 2 })).toBeNull();
  });
});
