import { describe, expect, it } from 'vitest';
import { CliError, parseCliArgs } from './cli-args.js';

describe('CLI flags', () => {
  it('parses the documented example', () => {
    const config = parseCliArgs(
      '--port 8080 --stream-port 8001 --relay-port 17999 --bouquets 10 --channels 1500 --epg-days 7 --latency 20-20 --error-rate 0.2 --timeout-rate 0.05 --failing-bouquet Sport --failing-epg ZDF --malformed-json epgservice --slow-epg 500 --auth user:pass --latin1 --hidden-entries --seed 7'.split(
        ' ',
      ),
    );
    expect(config.options).toMatchObject({
      port: 8080,
      streamPort: 8001,
      relayPort: 17999,
      bouquets: 10,
      channels: 1500,
      epgDays: 7,
      seed: 7,
      faults: {
        latencyMs: [20, 20],
        errorRate: 0.2,
        timeoutRate: 0.05,
        failingBouquets: ['Sport'],
        failingEpg: ['ZDF'],
        malformedJson: ['epgservice'],
        slowEpgMs: 500,
        auth: { user: 'user', password: 'pass' },
        latin1: true,
        hiddenEntries: true,
      },
    });
    expect(config.prepareFixtures).toBe(true);
  });

  it('defaults to the box ports', () => {
    expect(parseCliArgs([]).options).toMatchObject({ port: 8080, streamPort: 8001, relayPort: 17999 });
  });

  it.each([
    [['--port', 'x'], /--port needs an integer/],
    [['--error-rate', '3'], /--error-rate/],
    [['--latency', '30-10'], /MIN must not exceed MAX/],
    [['--auth', 'nouser'], /USER:PASS/],
    [['--bogus'], /unknown flag --bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
