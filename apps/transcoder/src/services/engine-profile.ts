import type { TranscodeConfig } from '@e2gate/config';
import type { StreamProfile, TranscoderSessionOpenRequest } from '@e2gate/contracts';
import type { LivePipelineOptions } from '../repositories/engine.repository.js';

/** What a session's profile asks of the engine: audio copied or AAC, video copied or transcoded to H.264. */
export function engineOptionsFor(
  profile: StreamProfile,
  transcode: Pick<TranscodeConfig, 'height' | 'preset' | 'encoder' | 'device' | 'ladder'>,
): Pick<LivePipelineOptions, 'audio' | 'video'> {
  const video = {
    height: transcode.height,
    preset: transcode.preset,
    encoder: transcode.encoder,
    ...(transcode.device ? { device: transcode.device } : {}),
  };
  switch (profile) {
    case 'copy':
      return { audio: 'copy' };
    case 'aac':
      return { audio: 'aac' };
    case 'h264':
      return { audio: 'aac', video: { mode: 'auto', ...video } };
    case 'h264-deinterlace':
      return { audio: 'aac', video: { mode: 'transcode', deinterlace: 'on', ...video } };
    case 'abr':
      return {
        audio: 'aac',
        video: {
          mode: 'transcode',
          ...video,
          ladder: transcode.ladder
            .filter((height) => height < transcode.height)
            .map((height) => ({ height })),
        },
      };
  }
}

/**
 * The profile a session runs with: a TS session's as asked (`copy` by default); an HLS session needs AAC, so it runs
 * `h264` (the HLS default: video transcoded where a browser cannot play it) when none is asked and `aac` for `copy`.
 */
export function sessionProfile(
  request: Pick<TranscoderSessionOpenRequest, 'delivery' | 'profile'>,
): StreamProfile {
  // A ladder needs HLS renditions: a TS stream asking for one gets its first rendition's transcode.
  if (request.delivery === 'ts') return request.profile === 'abr' ? 'h264' : (request.profile ?? 'copy');
  if (request.profile === undefined) return 'h264';
  return request.profile === 'copy' ? 'aac' : request.profile;
}
