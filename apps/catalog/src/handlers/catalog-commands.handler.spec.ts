import { describe, expect, it } from 'vitest';
import { loggableReason } from './catalog-commands.handler.js';

describe('loggableReason', () => {
  it('keeps the gateway described reasons and turns free text into its length', () => {
    expect(loggableReason(undefined)).toBe('command');
    expect(loggableReason('api')).toBe('api');
    expect(loggableReason('api, reason of 21 characters')).toBe('api, reason of 21 characters');
    expect(loggableReason('Müller asked: new channels')).toBe('command, reason of 26 characters');
    expect(loggableReason('api, reason of 2 characters; Müller')).toBe('command, reason of 35 characters');
  });
});
