import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { choice, csvList, duration, host, integer, optionalText } from './fields.js';
import { jobConfig, jobVariables, type JobConfig } from './job.config.js';
import { loadConfig, processEnv } from './load.js';
import { receiverConnection, receiverVariables, type ReceiverConnection } from './receiver.config.js';
import { sharedConfig, sharedVariables, type SharedConfig } from './shared.config.js';
import { snapshotReadLimits, type SnapshotReadLimits } from './snapshot-limits.js';

/**
 * CPU one live session costs in cores on one box, the whole stack included (engine, transcoder, gateway, NATS), as
 * measured by `npm run bench:live` (docs/benchmarks.md): a TS `aac` session 0.037 (50 held in real time on two
 * cores), an HLS session 0.083 (two renditions, segments stored for timeshift; about 24 on two cores). Sessions are
 * counted alike, so the default prices them near the dearer kind: 20 on two cores keeps real time with any mix.
 */
const CORES_PER_SESSION = 0.075;
/**
 * CPU one software video transcode costs in cores: 1080i25 → 720p50 with x264 `veryfast` (plus two AAC tracks),
 * 0.61 measured by `npm run bench:video` (docs/benchmarks.md), rounded up; an SD channel costs about a third of it.
 */
const CORES_PER_TRANSCODE = 0.65;
const CORE_SHARE = 0.75;

/** x264 presets offered for live transcoding (slower ones cannot keep real time in software). */
export const TRANSCODE_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;

const transcoderSchema = z.object({
  ...sharedVariables,
  ...receiverVariables,
  ...jobVariables,
  // 0: derived from the node's transcode capacity (jobs never take its last free slot: live viewers come first).
  E2GATE_JOB_SLOTS: integer({ default: 0, min: 0, max: 256 }),
  // Deliveries of one queue message before it is dead-lettered; naks count (retry waits, a live holder).
  E2GATE_JOB_MAX_DELIVERIES: integer({ default: 30, min: 2, max: 1_000 }),
  // 0: the receiver's own tuner count, from the catalog's device info.
  E2GATE_TUNERS: integer({ default: 0, min: 0, max: 64 }),
  E2GATE_SESSION_IDLE: duration({ default: '10s', min: '1s', max: '10m' }),
  E2GATE_UPSTREAM_RETRY: duration({ default: '30s', min: '0s', max: '10m' }),
  E2GATE_UPSTREAM_STALL: duration({ default: '10s', min: '1s', max: '2m' }),
  // 0: derived from the node's cores and the measured CPU cost of a session.
  E2GATE_TRANSCODER_MAX_SESSIONS: integer({ default: 0, min: 0, max: 10_000 }),
  E2GATE_NODE_HEARTBEAT: duration({ default: '2s', min: '500ms', max: '1m' }),
  E2GATE_SNAPSHOT_MAX_MB: integer({ default: 512, min: 16, max: 8192 }),
  E2GATE_HLS_SEGMENT: duration({ default: '2s', min: '1s', max: '10s' }),
  E2GATE_TIMESHIFT: duration({ default: '30m', min: '1m', max: '12h' }),
  // 0: three segment targets plus 30 s (what a player polling the playlist needs to count as watching).
  E2GATE_HLS_SESSION_IDLE: duration({ default: '0s', min: '0s', max: '30m' }),
  E2GATE_HLS_STORE_MAX_BYTES: integer({ default: 2 * 1024 ** 3, min: 64 * 1024 ** 2, max: 1024 ** 4 }),
  E2GATE_TRANSCODE_HEIGHT: integer({ default: 720, min: 144, max: 2160 }),
  E2GATE_TRANSCODE_PRESET: choice(TRANSCODE_PRESETS, 'veryfast'),
  E2GATE_TRANSCODE_LADDER: csvList().refine(
    (items) =>
      items.length <= 3 && items.every((item) => /^\d{3,4}$/.test(item) && +item >= 144 && +item <= 2160),
    { message: 'up to three heights of 144–2160 lines, e.g. 480,360' },
  ),
  E2GATE_TRANSCODE_ENCODER: choice(['auto', 'software', 'vaapi', 'nvenc'] as const, 'auto'),
  E2GATE_TRANSCODE_DEVICE: optionalText(256),
  // 0: derived from the node's cores and the measured CPU cost of a software transcode.
  E2GATE_TRANSCODE_MAX_SESSIONS: integer({ default: 0, min: 0, max: 1_000 }),
  E2GATE_TRANSCODER_HTTP_HOST: host('0.0.0.0'),
  E2GATE_TRANSCODER_HTTP_PORT: integer({ default: 8092, min: 0, max: 65535 }),
});

export interface TranscoderConfig extends SharedConfig {
  receiver: ReceiverConnection;
  /** Tuner count override; 0 = the receiver's own, from the catalog's device info. */
  tuners: number;
  /** A session nobody watches for this long is closed and its receiver stream released. */
  sessionIdleMs: number;
  /** How long a dropped upstream is reconnected before the session ends. */
  upstreamRetryMs: number;
  /** An upstream that sends nothing for this long counts as dropped (the box itself drops readers after 10 s). */
  upstreamStallMs: number;
  maxSessions: number;
  /** Node and session heartbeats; their records lapse after three missed beats. */
  heartbeatMs: number;
  snapshotReadLimits: SnapshotReadLimits;
  http: { host: string; port: number };
  hls: HlsConfig;
  transcode: TranscodeConfig;
  jobs: JobConfig & {
    /** Jobs this node runs at once at most. */
    slots: number;
    /** Deliveries of one queue message before it is dead-lettered (a consumer setting: the first node's stands). */
    maxDeliveries: number;
  };
}

/** Video transcoding (profiles `h264`, `h264-deinterlace`). */
export interface TranscodeConfig {
  /** Output height in lines, never above the source's (1080i → 720p50 by default). */
  height: number;
  /** x264 preset. */
  preset: (typeof TRANSCODE_PRESETS)[number];
  /** `auto`: VAAPI, then NVENC, then software, the first that works; or one backend by name. */
  encoder: 'auto' | 'software' | 'vaapi' | 'nvenc';
  /** VAAPI render node or CUDA device index; unset: the backend's default. */
  device?: string;
  /** Heights of the `abr` profile's further renditions, below `height` (at most three). */
  ladder: number[];
  /** Sessions that transcode video this node runs at most (each also counts as a session). */
  maxSessions: number;
}

export interface HlsConfig {
  /** The segment duration the engine aims at (segments end at the first keyframe after it). */
  segmentMs: number;
  /** Segments kept for seeking back (the playlist window; the `hls` bucket's TTL). */
  timeshiftMs: number;
  /** An HLS session whose playlists nobody polls for this long closes. */
  idleMs: number;
  /** The `hls` bucket's size; the oldest segments go first. */
  storeMaxBytes: number;
}

const DEFAULT_LADDER = [480, 360];

/** The `abr` ladder's heights (validated by the schema); unset or empty: 480 and 360. */
function ladderHeights(list: string[]): number[] {
  return list.length === 0 ? DEFAULT_LADDER : list.map(Number);
}

/** Transcoding sessions a node takes by default: the measured cost of one against three quarters of its cores. */
export function defaultMaxTranscodes(cores: number): number {
  return Math.max(1, Math.floor((cores * CORE_SHARE) / CORES_PER_TRANSCODE));
}

/** Sessions a node takes by default: the measured cost of one `aac` session against three quarters of its cores. */
export function defaultMaxSessions(cores: number): number {
  return Math.max(1, Math.floor((cores * CORE_SHARE) / CORES_PER_SESSION));
}

export function loadTranscoderConfig(
  env: Record<string, string | undefined> = processEnv(),
): Readonly<TranscoderConfig> {
  return loadConfig(
    transcoderSchema,
    (vars) => ({
      ...sharedConfig(vars),
      receiver: receiverConnection(vars),
      tuners: vars.E2GATE_TUNERS,
      sessionIdleMs: vars.E2GATE_SESSION_IDLE,
      upstreamRetryMs: vars.E2GATE_UPSTREAM_RETRY,
      upstreamStallMs: vars.E2GATE_UPSTREAM_STALL,
      maxSessions: vars.E2GATE_TRANSCODER_MAX_SESSIONS || defaultMaxSessions(availableParallelism()),
      heartbeatMs: vars.E2GATE_NODE_HEARTBEAT,
      snapshotReadLimits: snapshotReadLimits(vars.E2GATE_SNAPSHOT_MAX_MB),
      http: { host: vars.E2GATE_TRANSCODER_HTTP_HOST, port: vars.E2GATE_TRANSCODER_HTTP_PORT },
      hls: {
        segmentMs: vars.E2GATE_HLS_SEGMENT,
        timeshiftMs: vars.E2GATE_TIMESHIFT,
        idleMs: vars.E2GATE_HLS_SESSION_IDLE || 3 * vars.E2GATE_HLS_SEGMENT + 30_000,
        storeMaxBytes: vars.E2GATE_HLS_STORE_MAX_BYTES,
      },
      transcode: {
        height: vars.E2GATE_TRANSCODE_HEIGHT,
        preset: vars.E2GATE_TRANSCODE_PRESET,
        encoder: vars.E2GATE_TRANSCODE_ENCODER,
        ladder: ladderHeights(vars.E2GATE_TRANSCODE_LADDER),
        ...(vars.E2GATE_TRANSCODE_DEVICE ? { device: vars.E2GATE_TRANSCODE_DEVICE } : {}),
        maxSessions: vars.E2GATE_TRANSCODE_MAX_SESSIONS || defaultMaxTranscodes(availableParallelism()),
      },
      jobs: {
        ...jobConfig(vars),
        slots: vars.E2GATE_JOB_SLOTS || defaultMaxTranscodes(availableParallelism()),
        maxDeliveries: vars.E2GATE_JOB_MAX_DELIVERIES,
      },
    }),
    env,
  );
}

/** Variable names with their defaults, for docs/configuration.md (kept honest by a unit test). */
export const TRANSCODER_VARIABLES = Object.keys(transcoderSchema.shape);
