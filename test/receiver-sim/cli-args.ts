/** Command-line flags of the simulator CLI → ReceiverSimOptions (pure, so it can be tested). */
import type { SimFaults } from './faults.js';
import type { ReceiverSimOptions } from './sim.js';

export interface CliConfig {
  options: ReceiverSimOptions;
  /** Generate every fixture at start so the first zap does not wait for ffmpeg. */
  prepareFixtures: boolean;
  help: boolean;
}

export class CliError extends Error {
  readonly code = 'SIM_BAD_ARGUMENT';
}

export const USAGE = `Usage: npm run receiver-sim -- [flags]

  --host H                 listen address (default 127.0.0.1)
  --port N                 web port, OpenWebIF (default 8080; 0 = free port)
  --stream-port N          stream server, 8001-style (default 8001)
  --relay-port N           stream relay, 17999-style (default 17999)
  --control-port N         always-up control port for /_sim/* (default 0 = free port)
  --bouquets N             TV bouquets (default 3)
  --channels N             playable TV channels across the TV bouquets (default 30)
  --epg-days N             days of EPG ahead (default 7)
  --seed N                 dataset seed (default 1)
  --tuners N               tuner count (default 4)
  --stream-speed X         stream pacing, 1 = real time, 0 = unpaced (default 1)
  --fixture-dir DIR        fixture cache (default .cache/fixtures, generated with ffmpeg on demand)
  --no-prepare             do not generate fixtures at start
  --time-zone TZ           box time zone for local-time strings (default Europe/Berlin)
Faults:
  --latency A-B            per-request latency in ms, uniform in [A, B] (or one number)
  --error-rate R           share of requests answered 500 (0..1)
  --timeout-rate R         share of requests that hang (0..1)
  --hang-ms N              how long a hanging request stays open (default 60000)
  --failing-bouquet NAME   getservices of this bouquet (name substring or ref) always fails; repeatable
  --failing-epg SERVICE    EPG of this service (exact name or ref) always fails; repeatable
  --malformed-json NAMES   endpoints answering truncated JSON, comma-separated (e.g. epgservice,bouquets)
  --slow-epg MS            extra latency on EPG endpoints
  --epg-bouquet-cost MS    per-service cost of /api/epgbouquet (default 2)
  --auth USER:PASS         HTTP Basic auth on the web and stream ports
  --latin1                 non-ASCII text as raw Latin-1 bytes (header still says utf-8)
  --encrypted-refuse-ms N  relay resets connections this long after an encrypted channel's zap (default 1000)
  --zap-ms N               delay before the first TS bytes of a stream
  --stall-drop-ms N        drop stream readers stalled this long (default 10000)
  --offline                web port closed ("receiver down"); the control port stays up
  --hidden-entries         service lists include invisible (flag 512) entries, as some images do
  --help                   this text
`;

function integer(flag: string, value: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new CliError(`${flag} needs an integer in [${min}, ${max}], got ${value ?? 'nothing'}`);
  }
  return parsed;
}

function decimal(flag: string, value: string | undefined, min: number, max: number): number {
  const parsed = Number(value);
  if (
    value === undefined ||
    value.trim() === '' ||
    !Number.isFinite(parsed) ||
    parsed < min ||
    parsed > max
  ) {
    throw new CliError(`${flag} needs a number in [${min}, ${max}], got ${value ?? 'nothing'}`);
  }
  return parsed;
}

function range(flag: string, value: string | undefined): [number, number] {
  const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value ?? '');
  if (!match) throw new CliError(`${flag} needs MIN-MAX or a number of ms, got ${value ?? 'nothing'}`);
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min > max) throw new CliError(`${flag}: MIN must not exceed MAX`);
  return [min, max];
}

export function parseCliArgs(argv: readonly string[]): CliConfig {
  const options: ReceiverSimOptions = { port: 8080, streamPort: 8001, relayPort: 17999 };
  const faults: Partial<SimFaults> = {};
  const failing: string[] = [];
  const failingEpg: string[] = [];
  const malformed: string[] = [];
  let prepareFixtures = true;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--host':
        options.host = value() ?? '127.0.0.1';
        break;
      case '--port':
        options.port = integer(flag, value(), 0, 65535);
        break;
      case '--stream-port':
        options.streamPort = integer(flag, value(), 0, 65535);
        break;
      case '--relay-port':
        options.relayPort = integer(flag, value(), 0, 65535);
        break;
      case '--control-port':
        options.controlPort = integer(flag, value(), 0, 65535);
        break;
      case '--bouquets':
        options.bouquets = integer(flag, value());
        break;
      case '--channels':
        options.channels = integer(flag, value());
        break;
      case '--epg-days':
        options.epgDays = integer(flag, value());
        break;
      case '--seed':
        options.seed = integer(flag, value(), -2147483648, 2147483647);
        break;
      case '--tuners':
        options.tuners = integer(flag, value(), 1, 32);
        break;
      case '--stream-speed':
        options.streamSpeed = decimal(flag, value(), 0, 1000);
        break;
      case '--fixture-dir':
        options.fixtureDir = value();
        break;
      case '--time-zone':
        options.timeZone = value();
        break;
      case '--no-prepare':
        prepareFixtures = false;
        break;
      case '--latency':
        faults.latencyMs = range(flag, value());
        break;
      case '--error-rate':
        faults.errorRate = decimal(flag, value(), 0, 1);
        break;
      case '--timeout-rate':
        faults.timeoutRate = decimal(flag, value(), 0, 1);
        break;
      case '--hang-ms':
        faults.hangMs = integer(flag, value());
        break;
      case '--failing-bouquet':
        failing.push(value() ?? '');
        break;
      case '--failing-epg':
        failingEpg.push(value() ?? '');
        break;
      case '--malformed-json':
        malformed.push(...(value() ?? '').split(',').filter(Boolean));
        break;
      case '--slow-epg':
        faults.slowEpgMs = integer(flag, value());
        break;
      case '--epg-bouquet-cost':
        faults.epgBouquetMsPerService = decimal(flag, value(), 0, 10_000);
        break;
      case '--auth': {
        const text = value() ?? '';
        const colon = text.indexOf(':');
        if (colon <= 0) throw new CliError('--auth needs USER:PASS');
        faults.auth = { user: text.slice(0, colon), password: text.slice(colon + 1) };
        break;
      }
      case '--latin1':
        faults.latin1 = true;
        break;
      case '--encrypted-refuse-ms':
        faults.encryptedRefuseMs = integer(flag, value());
        break;
      case '--zap-ms':
        faults.zapMs = integer(flag, value());
        break;
      case '--stall-drop-ms':
        faults.stallDropMs = integer(flag, value());
        break;
      case '--offline':
        faults.offline = true;
        break;
      case '--hidden-entries':
        faults.hiddenEntries = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new CliError(`unknown flag ${flag} (see --help)`);
    }
  }
  if (failing.length > 0) faults.failingBouquets = failing;
  if (failingEpg.length > 0) faults.failingEpg = failingEpg;
  if (malformed.length > 0) faults.malformedJson = malformed;
  return { options: { ...options, faults }, prepareFixtures, help };
}
