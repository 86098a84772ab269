import { IsInt, Matches, Min } from 'class-validator';

/**
 * Browser HLS of live sessions (DESIGN §2, §4). The transcoder that runs an HLS session writes each segment's
 * renditions (video; one AAC stereo track per audio language; the original AC-3/E-AC-3 beside it) to the `hls`
 * Object Store and the session's segment index to the `sessions` KV (key `h.<sessionId>`), then announces the
 * segment on `transcoder.evt.session.segment`. Gateways render playlists from the index and serve the segments.
 */

/** One rendition of an HLS session: its own media playlist, its own segments. */
export interface HlsRendition {
  /**
   * Stable within the session: `v` for video (`v1`, `v2`, … for the further renditions of an ABR ladder), `a0`,
   * `a1`, … for audio in the engine's order.
   */
  id: string;
  type: 'video' | 'audio';
  /** RFC 6381 codec string from the stream itself (SPS, encoder): `avc1.640028`, `mp4a.40.2`, `ac-3`. */
  codecs: string;
  /** ISO 639-2 code of an audio track, as broadcast. */
  language?: string;
  channels?: number;
  /** ISO 639 audio_type: 3 = audio description. */
  audioType?: number;
  /** A copy of the broadcast AC-3/E-AC-3 (an extra rendition for players that decode it). */
  original?: boolean;
  width?: number;
  height?: number;
  frameRate?: number;
}

/** One segment of the session, every rendition cut at the same point. */
export interface HlsSegmentEntry {
  /** Media sequence number. */
  seq: number;
  /** Seconds (millisecond precision). */
  dur: number;
  /** Wall-clock time of the first frame, epoch ms (EXT-X-PROGRAM-DATE-TIME). */
  pdt: number;
  /** Follows an upstream reconnect or a change of streams. */
  disc?: true;
  /** Bytes per rendition, in the order of `HlsIndex.renditions`; 0 = that rendition has no part in this segment. */
  bytes: number[];
}

/** The segment index of one HLS session, rewritten by its node on every segment and heartbeat. */
export interface HlsIndex {
  sessionId: string;
  channelId: string;
  /** EXT-X-TARGETDURATION, seconds: fixed at the first segment, never raised (players need it constant). */
  targetDuration: number;
  /** Renditions ever seen in the session (a stream change appends; ids never change meaning). */
  renditions: HlsRendition[];
  /** The timeshift window, oldest first. */
  segments: HlsSegmentEntry[];
  /** EXT-X-DISCONTINUITY-SEQUENCE: discontinuities that left the window. */
  discontinuitySequence: number;
}

export function hlsIndexKey(sessionId: string): string {
  return `h.${sessionId}`;
}

/** Object Store name of one rendition's part of a segment. */
export function hlsSegmentObject(sessionId: string, rendition: string, sequence: number): string {
  return `${sessionId}/${rendition}/${sequence}.ts`;
}

const SESSION_ID = /^[a-z0-9][a-z0-9-]{0,120}$/;

/** A segment of an HLS session is stored and listed: gateways waiting for it wake up. */
export class TranscoderSessionSegmentEvent {
  @Matches(SESSION_ID)
  sessionId!: string;

  @IsInt()
  @Min(0)
  sequence!: number;
}
