import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCatalogConfig } from './catalog.config.js';
import { loadConfigOrExit } from './load-or-exit.js';

class ExitCalled extends Error {}

describe('loadConfigOrExit', () => {
  afterEach(() => vi.restoreAllMocks());

  it('returns the loaded config', () => {
    expect(loadConfigOrExit(() => ({ port: 1 }), 'catalog')).toEqual({ port: 1 });
  });

  it('stops the process with exit code 1 and a message naming the app and the variable', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new ExitCalled();
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => loadConfigOrExit(() => loadCatalogConfig({}), 'catalog')).toThrow(ExitCalled);
    expect(exit).toHaveBeenCalledWith(1);
    expect(error).toHaveBeenCalledWith(
      expect.stringMatching(/^catalog: Invalid configuration:\n.*E2GATE_RECEIVER_URL/s),
    );
  });

  it('rethrows anything that is not a config problem', () => {
    const exit = vi.spyOn(process, 'exit');
    const broken = () => {
      throw new TypeError('bug');
    };
    expect(() => loadConfigOrExit(broken, 'gateway')).toThrow(TypeError);
    expect(exit).not.toHaveBeenCalled();
  });
});
