import type { HlsProfile } from '@e2gate/contracts';
import { z } from 'zod';
import { boolean, choice, duration, host, httpUrl, integer, optionalText } from './fields.js';
import { ConfigError, loadConfig, processEnv } from './load.js';
import { jobConfig, jobVariables, type JobConfig } from './job.config.js';
import { sharedConfig, sharedVariables, type LogLevel, type SharedConfig } from './shared.config.js';
import { snapshotReadLimits, type SnapshotReadLimits } from './snapshot-limits.js';

/** Scopes an API token (or anonymous access, or a signed URL) can grant. `admin` implies the others. */
export const API_SCOPES = ['read', 'stream', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiTokenConfig {
  name: string;
  secret: string;
  scopes: ApiScope[];
}

const TOKEN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const TOKEN_SECRET = /^[\x21-\x7e]+$/;
export const MIN_TOKEN_SECRET_LENGTH = 16;
export const MIN_SIGNING_KEY_LENGTH = 32;

/** `name:secret:scope+scope,…` → tokens; every problem is reported without echoing the secret. */
function apiTokens() {
  return z
    .string()
    .max(16_384)
    .optional()
    .transform((text, ctx) => {
      const tokens: ApiTokenConfig[] = [];
      const items = (text ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      items.forEach((item, index) => {
        const problem = tokenProblem(item, tokens);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${problem}` });
          return;
        }
        const [name, secret, scopes] = item.split(':') as [string, string, string];
        tokens.push({ name, secret, scopes: [...new Set(scopes.split('+'))] as ApiScope[] });
      });
      return tokens;
    });
}

function tokenProblem(item: string, previous: readonly ApiTokenConfig[]): string | null {
  const parts = item.split(':');
  if (parts.length !== 3) return 'must be name:secret:scope+scope';
  const [name, secret, scopes] = parts as [string, string, string];
  if (!TOKEN_NAME.test(name)) return 'name must be 1-64 characters of A-Z a-z 0-9 _ . -';
  if (secret.length < MIN_TOKEN_SECRET_LENGTH) {
    return `secret of "${name}" must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`;
  }
  if (!TOKEN_SECRET.test(secret)) return `secret of "${name}" must be printable ASCII without spaces`;
  const unknown = scopes.split('+').filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (scopes === '' || unknown.length > 0) {
    return `scopes of "${name}" must be ${API_SCOPES.join(', ')} joined by +`;
  }
  if (previous.some((token) => token.name === name)) return `name "${name}" is used twice`;
  if (previous.some((token) => token.secret === secret)) return `secret of "${name}" is used twice`;
  return null;
}

/** Scopes anonymous callers get: only `read` and `stream` may be granted (never `admin`). */
function anonymousScopes() {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      const scopes = (text ?? '')
        .split(/[,+]/)
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      const bad = scopes.filter((scope) => scope !== 'read' && scope !== 'stream');
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: 'may only name read and stream (comma-separated)' });
        return z.NEVER;
      }
      return [...new Set(scopes)] as ('read' | 'stream')[];
    });
}

/** `off` (or `0`) disables expiry; otherwise a duration. */
function optionalDuration(options: { min: string; max: string }) {
  const field = duration({ default: options.min, ...options });
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === 'off' || value === '0') return null;
      const parsed = field.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
        return z.NEVER;
      }
      return parsed.data;
    });
}

const NIBBLE_TABLE = [0xa, 0x5, 0xf, 0x6, 0x7, 0xc, 0x1, 0xb, 0x9, 0x2, 0x8, 0xd, 0x4, 0x3, 0xe, 0x0];

/** libhdhomerun's DeviceID checksum (reference/hdhomerun.md §3.4). */
export function isValidHdhrDeviceId(hex: string): boolean {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return false;
  const n = [...hex].map((digit) => parseInt(digit, 16));
  const table = (index: number) => NIBBLE_TABLE[n[index] as number] as number;
  const sum = table(0) ^ n[1]! ^ table(2) ^ n[3]! ^ table(4) ^ n[5]! ^ table(6) ^ n[7]!;
  return sum === 0 && hex.toUpperCase() !== 'FFFFFFFF';
}

function trustProxy() {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx): boolean | string[] => {
      if (value === undefined || ['false', '0', 'no', 'off'].includes(value.toLowerCase())) return false;
      if (['true', '1', 'yes', 'on'].includes(value.toLowerCase())) return true;
      const entries = value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      if (entries.some((entry) => !/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(entry))) {
        ctx.addIssue({ code: 'custom', message: 'must be true, false, or comma-separated IPs/CIDRs' });
        return z.NEVER;
      }
      return entries;
    });
}

/**
 * The HLS profiles, spelled here rather than imported: this library is loaded by the launcher and the benches,
 * which do not load `reflect-metadata`, and the contracts' runtime module needs it. The type keeps the two equal.
 */
const HLS_PROFILES = ['aac', 'h264', 'h264-deinterlace', 'abr'] as const satisfies readonly HlsProfile[];

const gatewaySchema = z.object({
  ...sharedVariables,
  E2GATE_GATEWAY_HTTP_HOST: host('0.0.0.0'),
  E2GATE_GATEWAY_HTTP_PORT: integer({ default: 8080, min: 0, max: 65535 }),
  E2GATE_PUBLIC_URL: httpUrl().optional(),
  E2GATE_API_TOKENS: apiTokens(),
  E2GATE_ALLOW_ANONYMOUS: anonymousScopes(),
  E2GATE_URL_SIGNING_KEY: optionalText(1024).refine(
    (value) => value === undefined || value.length >= MIN_SIGNING_KEY_LENGTH,
    `must be at least ${MIN_SIGNING_KEY_LENGTH} characters`,
  ),
  E2GATE_URL_SIGNING_TTL: optionalDuration({ min: '5m', max: '365d' }),
  E2GATE_XMLTV_ID: choice(['dvb', 'number'] as const, 'dvb'),
  E2GATE_EPG_LANG: z
    .string()
    .trim()
    .regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'must be a two-letter language code like de, en or fr_FR')
    .optional()
    .transform((value) => value ?? 'de'),
  E2GATE_SNAPSHOT_MAX_AGE: duration({ default: '12h', min: '1m', max: '30d' }),
  E2GATE_SNAPSHOT_MAX_MB: integer({ default: 512, min: 16, max: 8192 }),
  E2GATE_RATE_LIMIT: integer({ default: 600, min: 1, max: 1_000_000 }),
  E2GATE_RATE_LIMIT_WINDOW: duration({ default: '1m', min: '1s', max: '1d' }),
  E2GATE_REFRESH_RATE_LIMIT: integer({ default: 3, min: 1, max: 10_000 }),
  E2GATE_REFRESH_RATE_LIMIT_WINDOW: duration({ default: '10m', min: '1s', max: '1d' }),
  E2GATE_AUTH_FAILURE_LIMIT: integer({ default: 10, min: 1, max: 100_000 }),
  E2GATE_AUTH_FAILURE_WINDOW: duration({ default: '15m', min: '1s', max: '1d' }),
  E2GATE_TRUST_PROXY: trustProxy(),
  E2GATE_MAX_BODY_BYTES: integer({ default: 16_384, min: 1024, max: 1_048_576 }),
  E2GATE_MAX_URL_LENGTH: integer({ default: 4096, min: 256, max: 65_536 }),
  E2GATE_CATALOG_TIMEOUT: duration({ default: '5s', min: '100ms', max: '2m' }),
  // A new session answers once its first bytes are out (the receiver's zap included): up to 8 s on a slow box.
  E2GATE_STREAM_OPEN_TIMEOUT: duration({ default: '10s', min: '100ms', max: '1m' }),
  E2GATE_MAX_STREAM_SESSIONS: integer({ default: 50, min: 1, max: 10_000 }),
  E2GATE_MAX_VIEWERS_PER_SESSION: integer({ default: 100, min: 1, max: 10_000 }),
  E2GATE_VIEWER_BUFFER_MB: integer({ default: 8, min: 1, max: 256 }),
  // The first HLS segment of a new session: the zap, one GOP, the segment target.
  E2GATE_HLS_START_TIMEOUT: duration({ default: '15s', min: '1s', max: '1m' }),
  E2GATE_HLS_CACHE_MB: integer({ default: 128, min: 8, max: 16_384 }),
  E2GATE_HLS_LINK_TTL: duration({ default: '12h', min: '1m', max: '7d' }),
  // h264: video transcoded where a browser cannot play it (MPEG-2, HEVC, interlaced), copied where it can.
  E2GATE_HLS_PROFILE: choice(HLS_PROFILES, 'h264'),
  E2GATE_SHUTDOWN_GRACE: duration({ default: '10s', min: '1s', max: '5m' }),
  E2GATE_RENDER_CACHE_MB: integer({ default: 512, min: 16, max: 16_384 }),
  E2GATE_RENDER_BASE_URLS: integer({ default: 4, min: 1, max: 64 }),
  E2GATE_HDHR_ENABLED: boolean(true),
  E2GATE_HDHR_DISCOVERY_HOST: host('0.0.0.0'),
  E2GATE_HDHR_DISCOVERY_PORT: integer({ default: 65001, min: 0, max: 65535 }),
  E2GATE_HDHR_FRIENDLY_NAME: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .transform((value) => value ?? 'e2gate'),
  E2GATE_HDHR_TUNER_COUNT: integer({ default: 0, min: 0, max: 64 }),
  E2GATE_HDHR_DEVICE_ID: z
    .string()
    .trim()
    .refine(isValidHdhrDeviceId, 'must be 8 hex digits with a valid HDHomeRun checksum')
    .transform((value) => value.toUpperCase())
    .optional(),
  E2GATE_SSDP_ENABLED: boolean(false),
  E2GATE_SSDP_PORT: integer({ default: 1900, min: 0, max: 65535 }),
  E2GATE_METRICS_PORT: integer({ default: 0, min: 0, max: 65535 }),
  ...jobVariables,
  // A job for a pool no live node offers is rejected after this long (nodes that are restarting come back).
  E2GATE_JOB_POOL_GRACE: duration({ default: '30s', min: '0s', max: '1h' }),
  // A transport stream uploaded for a remux job (POST /api/v1/artifacts) is refused beyond this size.
  E2GATE_UPLOAD_MAX_BYTES: integer({ default: 2 * 1024 ** 3, min: 1024 ** 2, max: 1024 ** 4 }),
  // The web app: how long a browser stays signed in, how many sign-ins are kept, where its built files are.
  E2GATE_WEB_SESSION_TTL: duration({ default: '7d', min: '5m', max: '90d' }),
  E2GATE_WEB_SESSIONS_MAX: integer({ default: 10_000, min: 10, max: 1_000_000 }),
  E2GATE_WEB_DIR: optionalText(),
  // KEY=value lines of the reloadable settings (GATEWAY_RELOADABLE_VARIABLES), read at start and at every reload.
  E2GATE_SETTINGS_FILE: optionalText(4096),
});

export interface GatewayConfig extends SharedConfig {
  http: { host: string; port: number; trustProxy: boolean | string[] };
  /** Base for absolute URLs; unset → the request's own scheme and host. */
  publicUrl?: string;
  auth: {
    tokens: ApiTokenConfig[];
    anonymousScopes: ('read' | 'stream')[];
    /** Unset → generated into the data dir. */
    signingKey?: string;
    /** Lifetime of signed URLs written into playlists; null = they never expire. */
    signingTtlMs: number | null;
  };
  guide: { xmltvId: 'dvb' | 'number'; lang: string };
  snapshotMaxAgeMs: number;
  /** How much of one stored snapshot is inflated and parsed before it is rejected. */
  snapshotReadLimits: SnapshotReadLimits;
  limits: {
    api: { limit: number; windowMs: number };
    refresh: { limit: number; windowMs: number };
    authFailures: { limit: number; windowMs: number };
    maxBodyBytes: number;
    maxUrlLength: number;
  };
  catalogTimeoutMs: number;
  streamOpenTimeoutMs: number;
  /** Live TS relays of this replica: sessions it relays, viewers per session, bytes queued per viewer. */
  streams: { maxSessions: number; maxViewersPerSession: number; viewerBufferBytes: number };
  /**
   * Browser HLS: how long a new session's first segment is awaited, the segment cache, playlist links' lifetime, and
   * the profile of a session opened without `?profile=`.
   */
  hls: { startTimeoutMs: number; cacheBytes: number; linkTtlMs: number; profile: HlsProfile };
  /** After SIGTERM, how long open requests (slow clients included) may take before their connections are closed. */
  shutdownGraceMs: number;
  renderCacheBytes: number;
  /**
   * Distinct base URLs (Host values, when `publicUrl` is unset) whose documents are kept per snapshot version; the
   * least recently used one's documents go first. Bounds what a client cycling Host values can make us keep.
   */
  renderBaseUrls: number;
  hdhomerun: {
    enabled: boolean;
    discoveryHost: string;
    discoveryPort: number;
    friendlyName: string;
    /** 0 = the receiver's tuner count from the catalog. */
    tunerCount: number;
    deviceId?: string;
  };
  ssdp: { enabled: boolean; port: number };
  /** 0 = `/metrics` on the main port; otherwise a separate port (and none on the main one). */
  metricsPort: number;
  jobs: JobConfig & {
    /** How long a queued job may wait for a node of its pool before it is rejected. */
    poolGraceMs: number;
    /** The largest transport stream an upload may carry. */
    uploadMaxBytes: number;
  };
  /** The browser app: sign-in sessions (cookie) and its built files (unset: the build in `apps/web/dist`). */
  web: { sessionTtlMs: number; maxSessions: number; dir?: string };
  /** A file of reloadable settings that override the environment's, read at start and at every reload. */
  settingsFile?: string;
  /** The reloadable variables as the environment set them: a settings file's values go over these. */
  reloadableEnv: Readonly<Record<string, string | undefined>>;
}

/** Open requests get their grace inside the whole shutdown's budget, with a second left for the rest. */
function graceWithinBudget(graceMs: number, budgetMs: number): number {
  if (graceMs + 1000 > budgetMs) {
    throw new ConfigError([
      {
        variable: 'E2GATE_SHUTDOWN_GRACE',
        message: `must be at least 1s shorter than E2GATE_SHUTDOWN_BUDGET (${budgetMs / 1000}s)`,
      },
    ]);
  }
  return graceMs;
}

/** The variables a settings reload may change (SIGHUP, `POST /api/v1/admin/reload`); the others need a restart. */
export const GATEWAY_RELOADABLE_VARIABLES = [
  'E2GATE_API_TOKENS',
  'E2GATE_ALLOW_ANONYMOUS',
  'E2GATE_URL_SIGNING_KEY',
  'E2GATE_URL_SIGNING_TTL',
  'E2GATE_RATE_LIMIT',
  'E2GATE_RATE_LIMIT_WINDOW',
  'E2GATE_REFRESH_RATE_LIMIT',
  'E2GATE_REFRESH_RATE_LIMIT_WINDOW',
  'E2GATE_AUTH_FAILURE_LIMIT',
  'E2GATE_AUTH_FAILURE_WINDOW',
  'LOG_LEVEL',
] as const;
export type GatewayReloadableVariable = (typeof GATEWAY_RELOADABLE_VARIABLES)[number];

const reloadableSchema = gatewaySchema.pick(
  Object.fromEntries(GATEWAY_RELOADABLE_VARIABLES.map((name) => [name, true])) as {
    [K in GatewayReloadableVariable]: true;
  },
);
type ReloadableVars = z.output<typeof reloadableSchema>;

/** What a settings reload changes in a running gateway. */
export interface GatewayReloadableConfig {
  auth: GatewayConfig['auth'];
  limits: Pick<GatewayConfig['limits'], 'api' | 'refresh' | 'authFailures'>;
  logLevel: LogLevel;
}

function authOf(vars: ReloadableVars): GatewayConfig['auth'] {
  return {
    tokens: vars.E2GATE_API_TOKENS,
    anonymousScopes: vars.E2GATE_ALLOW_ANONYMOUS,
    ...(vars.E2GATE_URL_SIGNING_KEY === undefined ? {} : { signingKey: vars.E2GATE_URL_SIGNING_KEY }),
    signingTtlMs: vars.E2GATE_URL_SIGNING_TTL,
  };
}

function rateLimitsOf(vars: ReloadableVars): GatewayReloadableConfig['limits'] {
  return {
    api: { limit: vars.E2GATE_RATE_LIMIT, windowMs: vars.E2GATE_RATE_LIMIT_WINDOW },
    refresh: { limit: vars.E2GATE_REFRESH_RATE_LIMIT, windowMs: vars.E2GATE_REFRESH_RATE_LIMIT_WINDOW },
    authFailures: { limit: vars.E2GATE_AUTH_FAILURE_LIMIT, windowMs: vars.E2GATE_AUTH_FAILURE_WINDOW },
  };
}

/** Validates the reloadable variables alone, with the same rules as at start (a settings file's content). */
export function loadGatewayReloadableConfig(
  env: Record<string, string | undefined>,
): Readonly<GatewayReloadableConfig> {
  return loadConfig(
    reloadableSchema,
    (vars) => ({
      auth: authOf(vars),
      limits: rateLimitsOf(vars),
      logLevel: vars.LOG_LEVEL,
    }),
    env,
  );
}

export function loadGatewayConfig(
  env: Record<string, string | undefined> = processEnv(),
): Readonly<GatewayConfig> {
  return loadConfig(
    gatewaySchema,
    (vars) => ({
      ...sharedConfig(vars),
      http: {
        host: vars.E2GATE_GATEWAY_HTTP_HOST,
        port: vars.E2GATE_GATEWAY_HTTP_PORT,
        trustProxy: vars.E2GATE_TRUST_PROXY,
      },
      ...(vars.E2GATE_PUBLIC_URL === undefined ? {} : { publicUrl: vars.E2GATE_PUBLIC_URL }),
      auth: authOf(vars),
      guide: { xmltvId: vars.E2GATE_XMLTV_ID, lang: vars.E2GATE_EPG_LANG },
      snapshotMaxAgeMs: vars.E2GATE_SNAPSHOT_MAX_AGE,
      snapshotReadLimits: snapshotReadLimits(vars.E2GATE_SNAPSHOT_MAX_MB),
      limits: {
        ...rateLimitsOf(vars),
        maxBodyBytes: vars.E2GATE_MAX_BODY_BYTES,
        maxUrlLength: vars.E2GATE_MAX_URL_LENGTH,
      },
      catalogTimeoutMs: vars.E2GATE_CATALOG_TIMEOUT,
      streamOpenTimeoutMs: vars.E2GATE_STREAM_OPEN_TIMEOUT,
      streams: {
        maxSessions: vars.E2GATE_MAX_STREAM_SESSIONS,
        maxViewersPerSession: vars.E2GATE_MAX_VIEWERS_PER_SESSION,
        viewerBufferBytes: vars.E2GATE_VIEWER_BUFFER_MB * 1024 * 1024,
      },
      hls: {
        startTimeoutMs: vars.E2GATE_HLS_START_TIMEOUT,
        cacheBytes: vars.E2GATE_HLS_CACHE_MB * 1024 * 1024,
        linkTtlMs: vars.E2GATE_HLS_LINK_TTL,
        profile: vars.E2GATE_HLS_PROFILE,
      },
      shutdownGraceMs: graceWithinBudget(vars.E2GATE_SHUTDOWN_GRACE, vars.E2GATE_SHUTDOWN_BUDGET),
      renderCacheBytes: vars.E2GATE_RENDER_CACHE_MB * 1024 * 1024,
      renderBaseUrls: vars.E2GATE_RENDER_BASE_URLS,
      hdhomerun: {
        enabled: vars.E2GATE_HDHR_ENABLED,
        discoveryHost: vars.E2GATE_HDHR_DISCOVERY_HOST,
        discoveryPort: vars.E2GATE_HDHR_DISCOVERY_PORT,
        friendlyName: vars.E2GATE_HDHR_FRIENDLY_NAME,
        tunerCount: vars.E2GATE_HDHR_TUNER_COUNT,
        ...(vars.E2GATE_HDHR_DEVICE_ID === undefined ? {} : { deviceId: vars.E2GATE_HDHR_DEVICE_ID }),
      },
      ssdp: { enabled: vars.E2GATE_SSDP_ENABLED, port: vars.E2GATE_SSDP_PORT },
      metricsPort: vars.E2GATE_METRICS_PORT,
      jobs: {
        ...jobConfig(vars),
        poolGraceMs: vars.E2GATE_JOB_POOL_GRACE,
        uploadMaxBytes: vars.E2GATE_UPLOAD_MAX_BYTES,
      },
      web: {
        sessionTtlMs: vars.E2GATE_WEB_SESSION_TTL,
        maxSessions: vars.E2GATE_WEB_SESSIONS_MAX,
        ...(vars.E2GATE_WEB_DIR === undefined ? {} : { dir: vars.E2GATE_WEB_DIR }),
      },
      ...(vars.E2GATE_SETTINGS_FILE === undefined ? {} : { settingsFile: vars.E2GATE_SETTINGS_FILE }),
      reloadableEnv: Object.fromEntries(GATEWAY_RELOADABLE_VARIABLES.map((name) => [name, env[name]])),
    }),
    env,
  );
}

/** Variable names of the gateway, for docs/configuration.md (kept honest by a unit test). */
export const GATEWAY_VARIABLES = Object.keys(gatewaySchema.shape);
