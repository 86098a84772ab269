import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/**
 * The transcoder's live-session contract as far as the gateway needs it today (the transcoder service comes in a
 * later issue). `transcoder.cmd.session.open` is answered by one member of the `transcoder` queue group; with no
 * transcoder running the request fails fast with `UNAVAILABLE` (no responders).
 */

const CHANNEL_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/** How the session's media is delivered: plain MPEG-TS over `stream.data.<sessionId>`, or HLS segments. */
export const StreamDelivery = ['ts', 'hls'] as const;
export type StreamDelivery = (typeof StreamDelivery)[number];

/** `copy`: the receiver's TS untouched; `aac`: audio made AAC for players without MP2/AC-3 decoders. */
export const StreamProfile = ['copy', 'aac'] as const;
export type StreamProfile = (typeof StreamProfile)[number];

export class TranscoderSessionOpenRequest {
  @Matches(CHANNEL_ID)
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
}

/**
 * Core subject carrying a TS session's chunks (~64 KiB each) to every gateway replica with viewers; an empty
 * message ends the session's stream.
 */
export function streamDataSubject(sessionId: string): string {
  return `stream.data.${sessionId}`;
}
