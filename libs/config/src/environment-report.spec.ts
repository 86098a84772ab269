import { describe, expect, it } from 'vitest';
import { closestName, environmentReport, logEnvironment } from './environment-report.js';
import { GATEWAY_VARIABLES } from './gateway.config.js';

describe('environment report', () => {
  it('says for each setting of the app whether the environment set it', () => {
    const report = environmentReport(GATEWAY_VARIABLES, { E2GATE_RATE_LIMIT: '5', E2GATE_PUBLIC_URL: '  ' });
    expect(report.settings['E2GATE_RATE_LIMIT']).toBe('set');
    expect(report.settings['E2GATE_PUBLIC_URL']).toBe('default');
    expect(report.settings['NATS_URL']).toBe('default');
    expect(Object.keys(report.settings).sort()).toEqual([...GATEWAY_VARIABLES].sort());
  });

  it("says 'file' for what the gateway's settings file set, over the environment", () => {
    const report = environmentReport(
      GATEWAY_VARIABLES,
      { E2GATE_RATE_LIMIT: '5', E2GATE_API_TOKENS: 'a:b:read' },
      ['E2GATE_API_TOKENS', 'LOG_LEVEL'],
    );
    expect(report.settings).toMatchObject({
      E2GATE_RATE_LIMIT: 'set',
      E2GATE_API_TOKENS: 'file',
      LOG_LEVEL: 'file',
      E2GATE_PUBLIC_URL: 'default',
    });
  });

  it('names E2GATE_ variables nothing reads, with the closest real one', () => {
    const report = environmentReport(GATEWAY_VARIABLES, {
      E2GATE_RATE_LIMT: '5',
      E2GATE_RECEIVER_PASSWROD: 'x',
      E2GATE_SOMETHING_ELSE_ENTIRELY: '1',
      // Another app's setting in a shared .env is not unknown.
      E2GATE_RECEIVER_URL: 'http://box',
      E2GATE_CHROMIUM: '/usr/bin/chromium',
      PATH: '/usr/bin',
    });
    expect(report.unknown).toEqual([
      { name: 'E2GATE_RATE_LIMT', closest: 'E2GATE_RATE_LIMIT' },
      { name: 'E2GATE_RECEIVER_PASSWROD', closest: 'E2GATE_RECEIVER_PASSWORD' },
      { name: 'E2GATE_SOMETHING_ELSE_ENTIRELY', closest: null },
    ]);
  });

  it('only suggests names near enough to be a typo', () => {
    expect(closestName('E2GATE_TUNER', ['E2GATE_TUNERS', 'E2GATE_TIMESHIFT'])).toBe('E2GATE_TUNERS');
    expect(closestName('E2GATE_X', ['E2GATE_TUNERS'])).toBeNull();
  });

  it('logs the settings once and warns per unknown variable', () => {
    const lines: string[] = [];
    logEnvironment(environmentReport(['LOG_LEVEL'], { LOG_LEVEL: 'debug', E2GATE_TUNER: '2' }), {
      log: (message) => lines.push(JSON.stringify(message)),
      warn: (message) => lines.push(message),
    });
    expect(lines).toEqual([
      expect.stringContaining('"settings":{"LOG_LEVEL":"set"}'),
      'E2GATE_TUNER is not a setting of e2gate and is ignored (did you mean E2GATE_TUNERS?)',
    ]);
  });
});
