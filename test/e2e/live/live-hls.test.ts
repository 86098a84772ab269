import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkMediaPlaylist,
  checkMultivariant,
  parseMediaPlaylist,
  parseMultivariant,
  type MediaPlaylist,
} from '../../support/hls-checker.js';
import { launchBrowser, Player } from '../../support/browser-player.js';
import { startTranscoderProcess, type TranscoderProcess } from '../../support/app-process.js';
import { ADMIN_TOKEN, bearer, STREAM_TOKEN } from '../gateway/support/gateway-harness.js';
import { call, metric } from '../gateway/support/http.js';
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

// Browser HLS through the whole stack (receiver simulator at real time → transcoder → NATS Object Store/KV →
// gateway): the playlists a player gets, checked against reference/hls.md; segments checked with ffprobe; the
// stream read by ffmpeg's HLS demuxer.

let stack: LiveStack;
let keeper: SessionKeeper | undefined;
const processes: TranscoderProcess[] = [];
const HLS_ENV = { E2GATE_HLS_SEGMENT: '1s', E2GATE_HLS_SESSION_IDLE: '3s', E2GATE_TIMESHIFT: '2m' };
/** How much history the timeshift test seeks back into. */
const SEEK_BACK_S = 60;

beforeAll(async () => {
  // Fifty simultaneous opens wait for one session's first segment; on a loaded two-core CI machine that has taken
  // longer than the default 10 s open timeout. What these tests check is sharing, not start-up time (the bench).
  stack = await startLiveStack({ transcoderEnv: HLS_ENV, gatewayEnv: { E2GATE_STREAM_OPEN_TIMEOUT: '30s' } });
  // A viewer from the start, so that the two-language session has a minute of history by the timeshift test.
  keeper = await SessionKeeper.start(indexUrl(TWO_LANGUAGES));
}, 180_000);
afterAll(async () => {
  await keeper?.stop();
  for (const process of processes) await process.stop();
  await stack?.close();
});

const TWO_LANGUAGES = (c: { fixture: string; encrypted: boolean }) =>
  c.fixture === 't2_1080i_eac3_ad_wrap' && !c.encrypted;
const HD = (c: { fixture: string; encrypted: boolean }) => c.fixture === 't1_720p50_ac3_mp2' && !c.encrypted;
const RADIO = (c: { fixture: string }) => c.fixture === 'sim_radio_mp2';
/** 720p25 H.264 with closed GOPs, which Chromium starts on any keyframe. */
const CLOSED_GOP_720 = (c: { fixture: string; encrypted: boolean }) =>
  c.fixture === 't4_720p_eac3' && !c.encrypted;

function channelName(predicate: Parameters<LiveStack['service']>[0], nth = 0): string {
  return stack.sim.dataset.channels.filter(
    (c) => predicate(c) && stack.gateway.follower.current!.snapshot.channels.some((s) => s.name === c.name),
  )[nth]!.name;
}

/**
 * The channel's `index.m3u8`. These tests are about audio renditions, timeshift and delivery, so they ask for the
 * `aac` profile (video copied): the default `h264` profile would transcode the 1080i channel, more than two cores
 * can do beside Chromium for every session here. live-video.test.ts covers the default profile.
 */
function indexUrl(predicate: Parameters<LiveStack['service']>[0], nth = 0): string {
  const channel = stack.channelId(channelName(predicate, nth));
  return `${stack.gateway.url}/hls/${channel}/index.m3u8?profile=aac&token=${STREAM_TOKEN}`;
}

describe('a channel with two languages (1080i H.264, MP2 deu + E-AC-3 eng audio description)', () => {
  it('offers every language as an AAC rendition with measured CODECS, and playlists that keep the rules', async () => {
    const { url, multivariant } = await multivariantOf(indexUrl(TWO_LANGUAGES));
    expect(checkMultivariant(multivariant)).toEqual([]);
    const aac = multivariant.media.filter((m) => m['GROUP-ID'] === 'aac');
    expect(aac.map((m) => m['LANGUAGE'])).toEqual(['de', 'en']);
    expect(aac[1]!['CHARACTERISTICS']).toBe('public.accessibility.describes-video');
    expect(aac[0]!['DEFAULT']).toBe('YES');
    // The broadcast E-AC-3 (English, audio description) beside its AAC, for Safari: its own group and variant.
    expect(multivariant.media.filter((m) => m['GROUP-ID'] === 'ec3').map((m) => m['LANGUAGE'])).toEqual([
      'en',
    ]);
    expect(multivariant.variants.map((v) => v.attributes['AUDIO'])).toEqual(['aac', 'ec3']);
    expect(multivariant.variants[1]!.attributes['CODECS']).toMatch(/^avc1\.[0-9a-f]{6},ec-3$/);
    const variant = multivariant.variants[0]!;
    expect(variant.attributes['RESOLUTION']).toBe('1920x1080');

    const videoUrl = new URL(variant.uri, url).href;
    const video = await warmed(videoUrl, 6);
    expect(checkMediaPlaylist(video, { minSegments: 6 })).toEqual([]);

    const first = await download(new URL(video.segments[0]!.uri, videoUrl).href);
    const streams = (await probe(first)).streams as ProbedStream[];
    expect(streams.map((s) => s.codec_type)).toEqual(['video']);
    const [videoCodecs, audioCodecs] = variant.attributes['CODECS']!.split(',');
    // avc1.PPCCLL: High = 0x64, level 4.0 = 0x28
    expect(streams[0]!.profile).toBe('High');
    expect(videoCodecs).toMatch(new RegExp(`^avc1\\.64[0-9a-f]{2}${streams[0]!.level!.toString(16)}$`));
    expect(audioCodecs).toBe('mp4a.40.2');
    const packets = await probe(first, [
      '-select_streams',
      'v:0',
      '-show_packets',
      '-read_intervals',
      '%+#1',
    ]);
    expect((packets.packets as { flags: string }[])[0]!.flags).toContain('K');

    for (const media of aac) {
      const audioUrl = new URL(media['URI']!, url).href;
      const audio = await warmed(audioUrl, 6);
      expect(checkMediaPlaylist(audio, { minSegments: 6 })).toEqual([]);
      expect(audio.targetDuration).toBe(video.targetDuration);
      const part = await download(new URL(audio.segments.at(-1)!.uri, audioUrl).href);
      const [track] = (await probe(part)).streams as ProbedStream[];
      expect(track).toMatchObject({ codec_name: 'aac', channels: 2 });
      expect(track!.tags?.language).toBe(media['LANGUAGE'] === 'de' ? 'deu' : 'eng');
    }
  }, 90_000);
});

describe('in a browser (hls.js in headless Chromium)', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('plays the two-language channel, lists both languages, keeps playing across an audio switch', async () => {
    const player = await Player.open(browser, indexUrl(TWO_LANGUAGES));
    try {
      await player.waitForPlaying(20_000);
      await player.waitForProgress(10, 40_000);
      const tracks = await player.audioTracks();
      expect(tracks.map((t) => t.lang)).toEqual(['de', 'en']);
      await player.switchAudio(1);
      const switched = await player.waitForProgress(3, 20_000);
      expect(switched.audioTrack).toBe(1);
      expect(await player.fatalErrors()).toEqual([]);
    } finally {
      await player.close();
    }
  }, 120_000);

  it('plays a radio channel audio-only in both its languages', async () => {
    const player = await Player.open(browser, indexUrl(RADIO));
    try {
      await player.waitForPlaying(20_000);
      await player.waitForProgress(3, 20_000);
      expect((await player.audioTracks()).map((t) => t.lang)).toEqual(['de', 'en']);
      await player.switchAudio(1);
      const switched = await player.waitForProgress(3, 20_000);
      expect(switched.audioTrack).toBe(1);
      expect(await player.fatalErrors()).toEqual([]);
    } finally {
      await player.close();
    }
  }, 60_000);
});

describe('reading the stream', () => {
  it('ffmpeg reads index.m3u8 of the HD channel with zero decode errors', async () => {
    const url = indexUrl(HD);
    const { stderr } = await run(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-i', url, '-t', '6', '-f', 'null', '-'],
      {
        timeout: 60_000,
      },
    );
    // An open-GOP start (see live-streams.test.ts): FFmpeg names a reference from before the first segment.
    const errors = stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !/mmco: unref short failure/.test(line));
    expect(errors).toEqual([]);
  }, 90_000);

  it('offers radio as audio-only HLS, every language a rendition', async () => {
    const { url, multivariant } = await multivariantOf(indexUrl(RADIO));
    expect(checkMultivariant(multivariant)).toEqual([]);
    expect(multivariant.variants).toHaveLength(1);
    expect(multivariant.variants[0]!.attributes['CODECS']).toBe('mp4a.40.2');
    expect(multivariant.media.map((m) => m['LANGUAGE'])).toEqual(['de', 'en']);
    for (const media of multivariant.media) {
      const audioUrl = new URL(media['URI']!, url).href;
      const audio = await warmed(audioUrl, 3);
      const part = await download(new URL(audio.segments[0]!.uri, audioUrl).href);
      const streams = (await probe(part)).streams as ProbedStream[];
      expect(streams.map((s) => [s.codec_name, s.tags?.language])).toEqual([
        ['aac', media['LANGUAGE'] === 'de' ? 'deu' : 'eng'],
      ]);
    }
  }, 90_000);
});

describe('links and sharing', () => {
  it('needs a credential for index.m3u8, never writes the token into a playlist, refuses a forged link', async () => {
    const url = indexUrl(HD);
    expect((await get(url.replace(/&token=[^&]*/, ''))).status).toBe(401);
    const { text, multivariant } = await multivariantOf(url);
    expect(text).not.toContain(STREAM_TOKEN);
    const videoUrl = new URL(multivariant.variants[0]!.uri, url);
    const mark = stack.gateway.logs.lines.length;
    const media = await get(videoUrl.href);
    expect(media.text).not.toContain(STREAM_TOKEN);
    const forged = videoUrl.href.replace(/\/([A-Za-z0-9_-]{32})\/v\.m3u8$/, (_m, sig: string) => {
      return `/${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}/v.m3u8`;
    });
    expect((await get(forged)).status).toBe(401);
    expect((await get(videoUrl.href.replace('/v.m3u8', '/x.m3u8'))).status).toBe(400);
    // Served apart from the Nest routes (LeanRoutes), with the same edge behaviour and error body.
    const head = await fetch(videoUrl.href, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-request-id')).toMatch(/\S/);
    const post = await fetch(videoUrl.href, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toContain('GET');
    const unknown = await fetch(videoUrl.href.replace('/v.m3u8', '/v/x/y.m3u8'));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('NOT_FOUND');
    // A player's polls are not logged one by one; refused links are.
    const logged = stack.gateway.logs.since(mark).filter((line) => line.includes('/hls/'));
    expect(logged.some((line) => line.includes('"statusCode":200'))).toBe(false);
    expect(logged.filter((line) => line.includes('"statusCode":401'))).toHaveLength(1);
  }, 60_000);

  it('gives 50 viewers opening a channel at once one session, one receiver stream and one store read per segment; nobody polling closes it', async () => {
    // Its own channel's receiver streams: the timeshift keeper watches another channel meanwhile.
    const name = channelName(HD, 1);
    const streams = () => stack.sim.stats().streams.byChannel[name] ?? { active: 0, started: 0 };
    await until('no receiver stream open', () => streams().active === 0, 40_000);
    const before = streams().started;
    const url = indexUrl(HD, 1);
    const answers = await Promise.all(Array.from({ length: 50 }, () => get(url)));
    expect(
      answers.map((a) => a.status),
      answers.find((a) => a.status !== 200)?.text,
    ).toEqual(answers.map(() => 200));
    const sessions = new Set(answers.map((a) => /s\/([a-z0-9-]+)\//.exec(a.text)![1]));
    expect(sessions.size).toBe(1);
    expect(streams().started - before).toBe(1);

    // Every viewer fetches the segments its playlist lists (its own links): one Object Store read per segment.
    const reads = async () =>
      metric((await call(`${stack.gateway.url}/metrics`)).text, 'e2gate_gateway_hls_segment_reads_total', {
        outcome: 'stored',
      }) ?? 0;
    const readsBefore = await reads();
    const fetched = await Promise.all(
      answers.map(async (answer) => {
        const videoUrl = new URL(parseMultivariant(answer.text).variants[0]!.uri, url).href;
        const playlist = parseMediaPlaylist((await get(videoUrl)).text);
        const uris = playlist.segments.slice(0, 2).map((segment) => new URL(segment.uri, videoUrl).href);
        const statuses = await Promise.all(uris.map(async (uri) => (await fetch(uri)).status));
        return { statuses, keys: uris.map((uri) => /\/(v\/\d+)\.ts$/.exec(uri)![1]!) };
      }),
    );
    expect(fetched.flatMap((f) => f.statuses).every((status) => status === 200)).toBe(true);
    const distinct = new Set(fetched.flatMap((f) => f.keys));
    expect((await reads()) - readsBefore).toBe(distinct.size);
    await until('the idle session closes its receiver stream', () => streams().active === 0, 40_000);
  }, 90_000);
});

describe('faults', () => {
  it('marks an upstream reconnect with EXT-X-DISCONTINUITY and keeps adding segments after it', async () => {
    await stack.sim.setFaults({ streamDropAfterMs: 4_000 });
    try {
      const { url, multivariant } = await multivariantOf(indexUrl(HD, 2));
      const videoUrl = new URL(multivariant.variants[0]!.uri, url).href;
      await until(
        'the receiver dropped the stream',
        () => (stack.sim.stats().endpoints['stream']?.dropped ?? 0) > 0,
        20_000,
      );
      await stack.sim.resetFaults();
      let playlist: MediaPlaylist | null = null;
      await until(
        'segments after a discontinuity',
        async () => {
          playlist = parseMediaPlaylist((await get(videoUrl)).text);
          const at = playlist.segments.findIndex((s) => s.discontinuity);
          return at !== -1 && playlist.segments.length - at >= 3;
        },
        30_000,
      );
      expect(checkMediaPlaylist(playlist!, { minSegments: 3 })).toEqual([]);
    } finally {
      await stack.sim.resetFaults();
    }
  }, 90_000);
});

describe('timeshift', () => {
  it(
    `seeks back ${SEEK_BACK_S} s into the session's window and plays from there`,
    async () => {
      // The keeper has watched since the suite started: the window fills up to a minute behind the live edge
      // (where hls.js plays, three target durations back) while the player plays.
      const browser = await launchBrowser();
      try {
        const player = await Player.open(browser, indexUrl(TWO_LANGUAGES));
        await player.waitForPlaying(20_000);
        let now = 0;
        await until(
          `${SEEK_BACK_S} s of history behind the playing position`,
          async () => {
            now = await player.currentTime();
            return now - (await player.seekableStart()) > SEEK_BACK_S + 2;
          },
          (SEEK_BACK_S + 30) * 1000,
        );
        const target = now - SEEK_BACK_S;
        await player.seekTo(target);
        const after = await player.waitForProgress(3, 30_000);
        expect(after.currentTime).toBeGreaterThanOrEqual(target);
        expect(after.currentTime).toBeLessThan(target + 15);
        expect(await player.fatalErrors()).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    (SEEK_BACK_S + 80) * 1000,
  );
});

describe('a transcoder killed mid-play', () => {
  it('gives the player a new session on a surviving node, which it recovers to', async () => {
    await keeper?.stop();
    keeper = undefined;
    for (const transcoder of stack.transcoders) await transcoder.close();
    stack.transcoders.length = 0;
    for (let index = 0; index < 2; index++) {
      processes.push(
        await startTranscoderProcess({ natsUrl: stack.nats.url, receiverUrl: stack.sim.url, env: HLS_ENV }),
      );
    }
    const admin = { headers: bearer(ADMIN_TOKEN) };
    await until(
      'both nodes registered',
      async () =>
        (await call(`${stack.gateway.url}/api/v1/nodes`, admin)).json<{ nodes: unknown[] }>().nodes.length ===
        2,
      20_000,
    );
    const url = indexUrl(CLOSED_GOP_720);
    const channelId = /\/hls\/([^/]+)\//.exec(url)![1];
    const owners = async () =>
      (await call(`${stack.gateway.url}/api/v1/sessions`, admin))
        .json<{ sessions: { channelId: string; node: string }[] }>()
        .sessions.filter((session) => session.channelId === channelId)
        .map((session) => session.node);

    const browser = await launchBrowser();
    try {
      const player = await Player.open(browser, url, { recover: true });
      await player.waitForPlaying(20_000);
      await player.waitForWatched(3, 20_000);
      const [owner] = await owners();
      const victim = processes.find((process) => process.child.pid === Number(owner!.split('-').at(-2)));
      expect(victim).toBeDefined();
      await victim!.stop('SIGKILL');

      await until(
        'the player opened the channel again',
        async () => (await player.state()).recoveries > 0,
        40_000,
      );
      const resumed = await player.waitForWatched(5, 40_000);
      expect(resumed.errors.filter((e) => e.fatal)).toEqual([]);
      const now = await owners();
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(owner);
    } finally {
      await browser.close();
    }
  }, 150_000);
});
