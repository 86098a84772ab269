/** Fault knobs: defaults, validation of patches (from code, CLI or the control endpoint) and the dice. */
import { Rng } from './random.js';

export interface SimFaults {
  /** Per request, uniform in range (default [0, 0]). */
  latencyMs: [number, number];
  /** Share of requests answered 500 with a traceback body (0..1). */
  errorRate: number;
  /** Share of requests that hang without answering (until close or hangMs). */
  timeoutRate: number;
  /** How long a "timeout" request hangs before the socket is destroyed (default 60000). */
  hangMs: number;
  /** Bouquet names (or refs) whose getservices always fails (500). */
  failingBouquets: string[];
  /**
   * Services (exact name, case-insensitive, or ref in any spelling) whose EPG always fails (500) on
   * `/api/epgservice` and `/web/epgservice`; the rest of the box answers normally.
   */
  failingEpg: string[];
  /** Endpoint names (e.g. 'bouquets', 'getservices', 'epgservice') returning truncated/invalid JSON. */
  malformedJson: string[];
  /**
   * Endpoint names answering, instead of their JSON, one array nested `nestedJsonBytes / 2` levels deep (a hostile
   * or broken box): a client must refuse it without building it.
   */
  nestedJson: string[];
  /** Size of the nested-array body (default 4 MiB). */
  nestedJsonBytes: number;
  /** Empty TV bouquets listed after the real ones (a box whose bouquet list went wild); default 0. */
  extraBouquets: number;
  /** Extra latency on EPG endpoints. */
  slowEpgMs: number;
  /** HTTP Basic required on web + stream ports (401 otherwise). */
  auth: { user: string; password: string } | null;
  /** Non-ASCII text sent as raw Latin-1 bytes (JSON without \u escapes; XML) while the header still says utf-8. */
  latin1: boolean;
  /** Relay refuses/resets connections for this long after the first request of an encrypted channel (default 1000). */
  encryptedRefuseMs: number;
  /** Web port refuses connections (listener closed) — "receiver down". */
  offline: boolean;
  /**
   * Service lists include invisible (flag 512) entries without `hidden=1`, as some images do: a client must skip
   * them by their flags, not rely on the box to leave them out.
   */
  hiddenEntries: boolean;
  /** Extension: per-service cost of /api/epgbouquet (the heavy call), in ms (default 2). */
  epgBouquetMsPerService: number;
  /** Extension: delay between the stream's 200 header and the first TS bytes on a new tune (default 0). */
  zapMs: number;
  /** Extension: a stream reader that stalls this long is dropped, like the box's TCP user timeout (default 10000). */
  stallDropMs: number;
  /** Extension: live streams are cut (connection reset) this many ms after they start; 0 = never. */
  streamDropAfterMs: number;
  /** Extension: every `/file` response (a recording) is reset after this many bytes; 0 = never. */
  fileDropAfterBytes: number;
  /** Extension: live streams stop sending (the connection stays open) this many ms after they start; 0 = never. */
  streamStallAfterMs: number;
  /**
   * Extension: live stream requests are refused: 400 = the box's 200 followed by the text `HTTP/1.0 400 Bad Request`
   * (a failed tune), any other status (404, 503) = that HTTP answer; 0 = streams are served.
   */
  streamRefuse: number;
}

const DEFAULTS: SimFaults = {
  latencyMs: [0, 0],
  errorRate: 0,
  timeoutRate: 0,
  hangMs: 60_000,
  failingBouquets: [],
  failingEpg: [],
  malformedJson: [],
  nestedJson: [],
  nestedJsonBytes: 4 * 1024 * 1024,
  extraBouquets: 0,
  slowEpgMs: 0,
  auth: null,
  latin1: false,
  encryptedRefuseMs: 1000,
  offline: false,
  hiddenEntries: false,
  epgBouquetMsPerService: 2,
  zapMs: 0,
  stallDropMs: 10_000,
  streamDropAfterMs: 0,
  fileDropAfterBytes: 0,
  streamStallAfterMs: 0,
  streamRefuse: 0,
};

export const DEFAULT_FAULTS: Readonly<SimFaults> = Object.freeze(DEFAULTS);

const MAX_DELAY_MS = 600_000;
const MAX_HOSTILE_BYTES = 256 * 1024 * 1024;
const MAX_EXTRA_BOUQUETS = 1_000_000;

export class FaultsError extends Error {
  readonly code = 'SIM_INVALID_FAULTS';
}

function ms(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new FaultsError(`${key} must be a number of milliseconds in [0, ${MAX_DELAY_MS}]`);
  }
  return value;
}

function count(key: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new FaultsError(`${key} must be an integer in [0, ${max}]`);
  }
  return value;
}

function rate(key: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new FaultsError(`${key} must be in [0, 1]`);
  return value;
}

function strings(key: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string') || value.length > 1000) {
    throw new FaultsError(`${key} must be a list of strings`);
  }
  return [...(value as string[])];
}

function bool(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new FaultsError(`${key} must be a boolean`);
  return value;
}

/** Validates a patch (unknown keys are errors) and returns the merged knobs. */
export function mergeFaults(current: Readonly<SimFaults>, patch: unknown): SimFaults {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw new FaultsError('faults must be an object');
  const next: SimFaults = {
    ...current,
    latencyMs: [...current.latencyMs],
    failingBouquets: [...current.failingBouquets],
    failingEpg: [...current.failingEpg],
    malformedJson: [...current.malformedJson],
    nestedJson: [...current.nestedJson],
  };
  for (const [key, value] of Object.entries(patch)) {
    switch (key as keyof SimFaults) {
      case 'latencyMs': {
        if (!Array.isArray(value) || value.length !== 2)
          throw new FaultsError('latencyMs must be [min, max]');
        const [min, max] = [ms('latencyMs', value[0]), ms('latencyMs', value[1])];
        if (min > max) throw new FaultsError('latencyMs must be [min, max] with min <= max');
        next.latencyMs = [min, max];
        break;
      }
      case 'errorRate':
      case 'timeoutRate':
        next[key as 'errorRate'] = rate(key, value);
        break;
      case 'hangMs':
      case 'slowEpgMs':
      case 'encryptedRefuseMs':
      case 'epgBouquetMsPerService':
      case 'zapMs':
      case 'stallDropMs':
      case 'streamDropAfterMs':
      case 'streamStallAfterMs':
        next[key as 'hangMs'] = ms(key, value);
        break;
      case 'streamRefuse':
        if (
          value !== 0 &&
          !(Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599)
        ) {
          throw new FaultsError('streamRefuse must be 0 or an HTTP status 400–599');
        }
        next.streamRefuse = value as number;
        break;
      case 'nestedJsonBytes':
        next.nestedJsonBytes = count(key, value, MAX_HOSTILE_BYTES);
        break;
      case 'fileDropAfterBytes':
        next.fileDropAfterBytes = count(key, value, MAX_HOSTILE_BYTES);
        break;
      case 'extraBouquets':
        next.extraBouquets = count(key, value, MAX_EXTRA_BOUQUETS);
        break;
      case 'failingBouquets':
      case 'failingEpg':
      case 'malformedJson':
      case 'nestedJson':
        next[key as 'failingBouquets'] = strings(key, value);
        break;
      case 'latin1':
      case 'offline':
      case 'hiddenEntries':
        next[key as 'latin1'] = bool(key, value);
        break;
      case 'auth':
        next.auth = parseAuth(value);
        break;
      default:
        throw new FaultsError(`unknown fault "${key}"`);
    }
  }
  return next;
}

function parseAuth(value: unknown): SimFaults['auth'] {
  if (value === null) return null;
  if (typeof value === 'object' && value !== null) {
    const { user, password } = value as Record<string, unknown>;
    if (typeof user === 'string' && typeof password === 'string' && user !== '' && !user.includes(':')) {
      return { user, password };
    }
  }
  throw new FaultsError('auth must be null or { user, password } (user non-empty, without ":")');
}

/** Seeded dice for the fault decisions, so a run with the same seed and request order repeats exactly. */
export class FaultDice {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed ^ 0x5eed_f417);
  }

  hit(probability: number): boolean {
    return probability > 0 && this.rng.next() < probability;
  }

  between([min, max]: readonly [number, number]): number {
    return min === max ? min : min + this.rng.next() * (max - min);
  }
}

/** True when the credentials in an Authorization header match. */
export function authorized(header: string | undefined, auth: SimFaults['auth']): boolean {
  if (!auth) return true;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return decoded === `${auth.user}:${auth.password}`;
}
