import { describe, expect, it } from 'vitest';
import { engineOptionsFor, sessionProfile } from './engine-profile.js';

const transcode = { height: 720, preset: 'veryfast' as const, encoder: 'auto' as const, ladder: [480, 360] };

describe('engineOptionsFor', () => {
  it('copies video for copy and aac, transcodes it for the h264 profiles', () => {
    expect(engineOptionsFor('copy', transcode)).toEqual({ audio: 'copy' });
    expect(engineOptionsFor('aac', transcode)).toEqual({ audio: 'aac' });
    expect(engineOptionsFor('h264', transcode)).toEqual({
      audio: 'aac',
      video: { mode: 'auto', height: 720, preset: 'veryfast', encoder: 'auto' },
    });
    expect(engineOptionsFor('h264-deinterlace', transcode)).toEqual({
      audio: 'aac',
      video: { mode: 'transcode', deinterlace: 'on', height: 720, preset: 'veryfast', encoder: 'auto' },
    });
  });
});

describe('engineOptionsFor abr', () => {
  it('transcodes into the ladder below the main height', () => {
    expect(engineOptionsFor('abr', { ...transcode, height: 480 }).video).toMatchObject({
      mode: 'transcode',
      height: 480,
      ladder: [{ height: 360 }],
    });
  });
});

describe('engineOptionsFor with a device', () => {
  it('names the device only when one is configured', () => {
    const options = engineOptionsFor('h264', {
      ...transcode,
      encoder: 'vaapi',
      device: '/dev/dri/renderD129',
    });
    expect(options.video).toMatchObject({ encoder: 'vaapi', device: '/dev/dri/renderD129' });
  });
});

describe('sessionProfile', () => {
  it('keeps a TS profile, gives HLS AAC audio and the h264 profile by default', () => {
    expect(sessionProfile({ delivery: 'ts' })).toBe('copy');
    expect(sessionProfile({ delivery: 'ts', profile: 'h264' })).toBe('h264');
    expect(sessionProfile({ delivery: 'ts', profile: 'abr' })).toBe('h264');
    expect(sessionProfile({ delivery: 'hls' })).toBe('h264');
    expect(sessionProfile({ delivery: 'hls', profile: 'copy' })).toBe('aac');
    expect(sessionProfile({ delivery: 'hls', profile: 'h264-deinterlace' })).toBe('h264-deinterlace');
  });
});
