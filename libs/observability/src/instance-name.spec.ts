import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { instanceName } from './instance-name.js';

describe('instanceName', () => {
  it('is <app>-<host>-<pid>', () => {
    expect(instanceName('catalog')).toBe(`catalog-${hostname()}-${process.pid}`);
    expect(instanceName('gateway')).toMatch(new RegExp(`^gateway-.+-${process.pid}$`));
  });
});
