import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CHANNEL_ID_PATTERN } from './snapshot-schema.js';

/**
 * The transcoder's live sessions. `transcoder.cmd.session.open` is answered by one member of the `transcoder`
 * queue group (with no transcoder running the request fails fast with `UNAVAILABLE`: no responders); a node may hand
 * it to another node with room over `transcoder.node.<nodeId>.session.open`. Touch and close are broadcast: every
 * node hears them and the one running the session acts. Session state lives in the `sessions` KV.
 */

const SESSION_ID = /^[a-z0-9][a-z0-9-]{0,120}$/;
const NODE_ID = /^[A-Za-z0-9._-]{1,120}$/;

/** How the session's media is delivered: plain MPEG-TS over `stream.data.<sessionId>`, or HLS segments. */
export const StreamDelivery = ['ts', 'hls'] as const;
export type StreamDelivery = (typeof StreamDelivery)[number];

/**
 * `copy`: the receiver's TS remuxed for one service, audio untouched; `aac`: audio made AAC-LC stereo, video copied;
 * `h264`: AAC, and video transcoded to progressive H.264 when the source is not (MPEG-2, HEVC, interlaced), copied
 * when it is; `h264-deinterlace`: AAC, video always transcoded and deinterlaced (sources whose field flags lie);
 * `abr` (HLS only): AAC, video always transcoded into a ladder of renditions (720p, 480p, 360p by default) from one
 * decode, for players on weak links.
 */
export const StreamProfile = ['copy', 'aac', 'h264', 'h264-deinterlace', 'abr'] as const;
export type StreamProfile = (typeof StreamProfile)[number];

/** The profiles a TS stream can have: a ladder is for HLS players only. */
export const TsProfile = ['copy', 'aac', 'h264', 'h264-deinterlace'] as const;
export type TsProfile = (typeof TsProfile)[number];

/** The profiles an HLS session can have: browsers need AAC. */
export const HlsProfile = ['aac', 'h264', 'h264-deinterlace', 'abr'] as const;
export type HlsProfile = (typeof HlsProfile)[number];

/** A zero count for every profile (metrics: a profile with no sessions reads 0, not absent). */
export function zeroPerProfile(): Record<StreamProfile, number> {
  return Object.fromEntries(StreamProfile.map((profile) => [profile, 0])) as Record<StreamProfile, number>;
}

/** Encoder slots a session of the profile holds: one per transcode, two for a ladder (its rungs are smaller). */
export function transcodeSlots(profile: StreamProfile): number {
  if (profile === 'abr') return 2;
  return profile === 'h264' || profile === 'h264-deinterlace' ? 1 : 0;
}

export class TranscoderSessionOpenRequest {
  @Matches(CHANNEL_ID_PATTERN)
  channelId!: string;

  @IsIn(StreamDelivery)
  delivery!: StreamDelivery;

  @IsOptional()
  @IsIn(StreamProfile)
  profile?: StreamProfile;

  /** Who asked (gateway replica), for the transcoder's logs. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  requester?: string;
}

export interface TranscoderSessionOpenReply {
  sessionId: string;
  /** Node that runs the session. */
  node: string;
  /** True when the session was already running (this viewer joins it). */
  joined: boolean;
}

/** How often a gateway repeats its viewer counts; a transcoder forgets a count not repeated within three of these. */
export const VIEWER_TOUCH_INTERVAL_MS = 2_000;

/** A gateway replica's viewer count of one session: sent on every join and leave and every few seconds. */
export class TranscoderSessionTouchCommand {
  @Matches(SESSION_ID)
  sessionId!: string;

  @IsString()
  @MaxLength(200)
  gateway!: string;

  @IsInt()
  @Min(0)
  @Max(100_000)
  viewers!: number;
}

/** Stops a session (admin), whoever watches it. */
export class TranscoderSessionCloseCommand {
  @Matches(SESSION_ID)
  sessionId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export class TranscoderSessionClosedEvent {
  @Matches(SESSION_ID)
  sessionId!: string;

  @Matches(CHANNEL_ID_PATTERN)
  channelId!: string;

  @IsIn(StreamProfile)
  profile!: StreamProfile;

  @Matches(NODE_ID)
  node!: string;

  /** `idle`, `closed` (admin), `upstream` (the receiver failed), `shutdown`, `failed`. */
  @IsString()
  @MaxLength(40)
  reason!: string;

  /** Error code when the session ended on an error. */
  @IsOptional()
  @IsString()
  @MaxLength(60)
  code?: string;
}

/** The record of a live session in the `sessions` KV (key: `sessionKey`), refreshed by its node. */
export interface SessionRecord {
  sessionId: string;
  channelId: string;
  channelName: string;
  delivery: StreamDelivery;
  profile: StreamProfile;
  node: string;
  bootId: string;
  state: 'starting' | 'live' | 'reconnecting' | 'closing';
  /** Tuner it holds (transponder key), null when it needs none (IPTV). */
  transponder: string | null;
  startedAt: string;
  heartbeatAt: string;
  viewers: number;
  bitrateBps: number;
  bytesIn: number;
  bytesOut: number;
  reconnects: number;
  warnings: Record<string, number>;
  /** The video encoder while the session transcodes video (`software`, `vaapi`, `nvenc`). */
  encoder?: string;
}

/** A video encoder backend as the node's capability probe found it. */
export interface EncoderProbeRecord {
  encoder: string;
  available: boolean;
  /** Why it is not available (no device, no driver, session limit). */
  reason?: string;
}

/** The record of a transcoder process in the `nodes` KV (key `n.<nodeId>`). */
export interface NodeRecord {
  nodeId: string;
  bootId: string;
  version: string;
  engine: { version: string; avcodec: string };
  cpus: number;
  /** Sessions this node takes at most (`E2GATE_TRANSCODER_MAX_SESSIONS`). */
  capacity: number;
  /** Video encoders the capability probe found working (`software`, `vaapi`, `nvenc`). */
  encoders: string[];
  /** Every backend the probe tried, with the reason of those that do not work. */
  encoderProbe?: EncoderProbeRecord[];
  /** Video-transcoding sessions this node takes at most (`E2GATE_TRANSCODE_MAX_SESSIONS`), within `capacity`. */
  transcodeCapacity?: number;
  /** Video-transcoding sessions running. */
  transcodeSessions?: number;
  startedAt: string;
  heartbeatAt: string;
  sessions: number;
  /** CPU use of the process over the last heartbeat interval, in cores. */
  load: number;
  /** Job pools it pulls from (`cpu`, plus one per working hardware encoder). */
  pools?: string[];
  /** Jobs it runs at once at most, and runs now. */
  jobSlots?: number;
  jobsRunning?: number;
}

/**
 * Key of a session's record: one shared session per channel, delivery and profile, cluster-wide. TS sessions keep
 * the key `s.<channelId>.<profile>`; an HLS session is `s.<channelId>.hls` with the `aac` profile and
 * `s.<channelId>.hls-<profile>` with another.
 */
export function sessionKey(
  channelId: string,
  profile: StreamProfile,
  delivery: StreamDelivery = 'ts',
): string {
  if (delivery === 'ts') return `s.${channelId}.${profile}`;
  return profile === 'aac' ? `s.${channelId}.hls` : `s.${channelId}.hls-${profile}`;
}

export function nodeKey(nodeId: string): string {
  return `n.${nodeId}`;
}

/**
 * Core subject carrying a TS session's chunks (~64 KiB each) to every gateway replica with viewers; an empty
 * message ends the session's stream. A chunk that starts where a new viewer can start (PAT, PMT, keyframe) carries
 * the header `E2gate-Key: 1`.
 */
export function streamDataSubject(sessionId: string): string {
  return `stream.data.${sessionId}`;
}

export const STREAM_KEY_HEADER = 'E2gate-Key';

/** Subject on which one node takes opens handed over by a full node. */
export function nodeOpenSubject(nodeId: string): string {
  return `transcoder.node.${nodeId}.session.open`;
}

/**
 * Subject a node answers while it lives. A session record of a node that no longer answers (killed: NATS drops its
 * subscriptions at once) is taken over instead of joined, long before the record's TTL would lapse.
 */
export function nodePingSubject(nodeId: string): string {
  return `transcoder.node.${nodeId}.ping`;
}
