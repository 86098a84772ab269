import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tempFile } from '../../../native/test/support/ffprobe.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMediaPlaylist, checkMultivariant } from '../../support/hls-checker.js';
import { launchBrowser, Player } from '../../support/browser-player.js';
import { ADMIN_TOKEN, bearer, STREAM_TOKEN } from '../gateway/support/gateway-harness.js';
import { call } from '../gateway/support/http.js';
import {
  download,
  get,
  multivariantOf,
  probe,
  SessionKeeper,
  warmed,
  type ProbedStream,
} from './support/hls-client.js';
import { startLiveStack, until, type LiveStack } from './support/live-stack.js';

const run = promisify(execFile);

// Video transcoding through the whole stack: the simulator's MPEG-2 SD channel, which no browser decodes, reaches
// hls.js in Chromium as H.264 through the default HLS profile; a node takes no more video transcodes than its
// encoder capacity (here 3 slots: an `abr` ladder takes two); the `abr` profile's ladder plays and switches.

let stack: LiveStack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const VIDEO_ENV = {
  E2GATE_HLS_SEGMENT: '1s',
  E2GATE_HLS_SESSION_IDLE: '3s',
  E2GATE_TRANSCODE_MAX_SESSIONS: '3',
};

beforeAll(async () => {
  stack = await startLiveStack({ transcoderEnv: VIDEO_ENV });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

type Predicate = Parameters<LiveStack['service']>[0];
const MPEG2_SD = (c: { fixture: string; encrypted: boolean }) =>
  c.fixture === 't3_576i_mpeg2' && !c.encrypted;
const HD = (c: { fixture: string; encrypted: boolean }) => c.fixture === 't1_720p50_ac3_mp2' && !c.encrypted;

/** The channel's `index.m3u8`, with the default profile unless one is named. */
function indexUrl(predicate: Predicate, profile?: string): string {
  const channel = stack.channelId(stack.service(predicate).name);
  const query = profile ? `profile=${profile}&` : '';
  return `${stack.gateway.url}/hls/${channel}/index.m3u8?${query}token=${STREAM_TOKEN}`;
}

describe('an MPEG-2 SD channel (576i25, 16:9) through the default HLS profile', () => {
  it('is offered as progressive H.264 at field rate with square pixels, every segment starting with a keyframe', async () => {
    const { url, multivariant } = await multivariantOf(indexUrl(MPEG2_SD));
    expect(checkMultivariant(multivariant)).toEqual([]);
    const variant = multivariant.variants[0]!;
    expect(variant.attributes['CODECS']).toMatch(/^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
    expect(variant.attributes['RESOLUTION']).toBe('1024x576');
    expect(variant.attributes['FRAME-RATE']).toBe('50.000');
    const videoUrl = new URL(variant.uri, url).href;
    const video = await warmed(videoUrl, 3);
    expect(checkMediaPlaylist(video, { minSegments: 3 })).toEqual([]);
    for (const entry of video.segments.slice(-3)) {
      const file = tempFile('video-segment.ts', await download(new URL(entry.uri, videoUrl).href));
      const { stdout } = await run('ffprobe', [
        ...['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1'],
        ...['-show_entries', 'packet=flags', '-of', 'csv=p=0', file],
      ]);
      expect(stdout.trim()).toMatch(/^K/);
    }
    const segment = await download(new URL(video.segments.at(-1)!.uri, videoUrl).href);
    const [stream] = (await probe(segment)).streams as (ProbedStream & Record<string, unknown>)[];
    expect(stream).toMatchObject({ codec_name: 'h264', width: 1024, height: 576, r_frame_rate: '50/1' });
    expect(stream!['field_order'] ?? 'progressive').toBe('progressive');
    // CODECS from the encoder's SPS: High profile (0x64), no constraint flags, the level ffprobe reads.
    expect(stream!['profile']).toBe('High');
    expect(variant.attributes['CODECS']!.split(',')[0]).toBe(
      `avc1.6400${stream!.level!.toString(16).padStart(2, '0')}`,
    );
  }, 90_000);

  it('plays in Chromium with hls.js, which cannot decode MPEG-2 itself', async () => {
    const player = await Player.open(browser, indexUrl(MPEG2_SD));
    try {
      await player.waitForPlaying(30_000);
      await player.waitForProgress(6, 30_000);
      expect(await player.fatalErrors()).toEqual([]);
    } finally {
      await player.close();
    }
  }, 90_000);

  it('is read by ffmpeg with zero decode errors', async () => {
    const { stderr } = await run(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-i', indexUrl(MPEG2_SD), '-t', '4', '-f', 'null', '-'],
      { timeout: 60_000 },
    );
    expect(stderr.split('\n').filter((line) => line.trim() !== '')).toEqual([]);
  }, 90_000);
});

describe('the abr profile (a ladder of three renditions from one decode)', () => {
  it('offers 576p, 480p and 360p variants whose segments line up, and hls.js switches between them', async () => {
    const { url, multivariant } = await multivariantOf(indexUrl(MPEG2_SD, 'abr'));
    expect(checkMultivariant(multivariant)).toEqual([]);
    expect(multivariant.variants.map((v) => v.attributes['RESOLUTION'])).toEqual([
      '1024x576',
      '854x480',
      '640x360',
    ]);
    const playlists = await Promise.all(
      multivariant.variants.map((variant) => warmed(new URL(variant.uri, url).href, 3)),
    );
    // The same segment of every rendition: same sequence, same duration, same first picture time.
    const sequence = playlists[0]!.mediaSequence + playlists[0]!.segments.length - 2;
    const starts: string[] = [];
    for (const [n, playlist] of playlists.entries()) {
      const entry = playlist.segments[sequence - playlist.mediaSequence]!;
      expect(entry.duration).toBe(playlists[0]!.segments[sequence - playlists[0]!.mediaSequence]!.duration);
      const base = new URL(multivariant.variants[n]!.uri, url).href;
      const file = tempFile(`abr-${n}.ts`, await download(new URL(entry.uri, base).href));
      const { stdout } = await run('ffprobe', [
        ...['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1'],
        ...['-show_entries', 'packet=pts,flags', '-of', 'csv=p=0', file],
      ]);
      starts.push(stdout.trim());
    }
    expect(starts[0]).toMatch(/^\d+,K/);
    expect(new Set(starts).size).toBe(1);

    const player = await Player.open(browser, indexUrl(MPEG2_SD, 'abr'));
    try {
      await player.waitForPlaying(30_000);
      // Let the start settle (a switch while hls.js still appends its first fragments can stall it: a quality menu
      // is not used in the first second either).
      await player.waitForProgress(3, 20_000);
      // hls.js orders its levels by bandwidth, lowest first.
      expect((await player.levels()).map((l) => l.height)).toEqual([360, 480, 576]);
      for (const level of [0, 2]) {
        await player.switchLevel(level);
        await player.waitForProgress(3, 20_000);
        expect((await player.level()).current).toBe(level);
      }
      expect(await player.fatalErrors()).toEqual([]);
    } finally {
      await player.close();
    }
  }, 120_000);
});

interface SessionRow {
  profile: string;
  encoder?: string;
}

async function sessions(): Promise<SessionRow[]> {
  return (await call(`${stack.gateway.url}/api/v1/sessions`, { headers: bearer(ADMIN_TOKEN) })).json<{
    sessions: SessionRow[];
  }>().sessions;
}

describe('encoder capacity', () => {
  it('refuses a transcode beyond the node’s capacity with 503 CAPACITY and Retry-After; a copy session still opens', async () => {
    // The earlier tests' sessions close once nobody polls them.
    await until(
      'no transcoding sessions',
      async () => (await sessions()).every((s) => s.profile === 'aac'),
      60_000, // a transcode's close drains its encoders: slow on a loaded two-core machine
    );
    const ladder = await SessionKeeper.start(indexUrl(MPEG2_SD, 'abr'));
    const single = await SessionKeeper.start(indexUrl(MPEG2_SD));
    try {
      await until(
        'both transcodes report their encoder',
        async () =>
          (await sessions()).filter((s) => s.profile !== 'aac' && s.encoder === 'software').length === 2,
        15_000,
      );
      const refused = await fetch(indexUrl(HD, 'h264'));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await refused.json()) as { code: string }).code).toBe('CAPACITY');
      expect((await get(indexUrl(HD, 'aac'))).status).toBe(200);
    } finally {
      await ladder.stop();
      await single.stop();
    }
  }, 120_000);
});
