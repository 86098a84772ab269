import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, launchBrowser, openPlayer } from '../../support/browser-player.js';

// Self-test of the browser harness: HLS streams made by ffmpeg (H.264 + two AAC renditions deu/eng; AAC
// audio-only) served by a plain static server that sends no CORS headers, played by hls.js in headless Chromium.

const run = promisify(execFile);
const SECONDS = 8;
const AAC = ['-c:a', 'aac', '-b:a', '96k', '-ac', '2'];
const HLS = ['-f', 'hls', '-hls_time', '1', '-hls_playlist_type', 'vod', '-master_pl_name', 'index.m3u8'];
const sine = (hz: number) => [
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=${hz}:sample_rate=48000:duration=${SECONDS}`,
];

/** testsrc2 720p25 H.264 (1 s GOPs) + two AAC renditions in one audio group, as `<dir>/tv/index.m3u8`. */
function makeTwoLanguageStream(dir: string) {
  return run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=25:duration=${SECONDS}`],
    ...sine(440),
    ...sine(660),
    ...['-map', '0:v', '-map', '1:a', '-map', '2:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'main', '-pix_fmt', 'yuv420p'],
    ...['-g', '25', '-keyint_min', '25', '-sc_threshold', '0'],
    ...AAC,
    ...HLS,
    ...[
      '-var_stream_map',
      'v:0,agroup:aud a:0,agroup:aud,language:deu,default:yes a:1,agroup:aud,language:eng',
    ],
    ...['-hls_segment_filename', join(dir, 'tv', 's%v_%03d.ts'), join(dir, 'tv', 'p%v.m3u8')],
  ]);
}

/** AAC only (the radio case), as `<dir>/radio/index.m3u8`. */
function makeRadioStream(dir: string) {
  return run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...sine(550),
    ...AAC,
    ...HLS,
    ...['-var_stream_map', 'a:0,language:deu'],
    ...['-hls_segment_filename', join(dir, 'radio', 'r%v_%03d.ts'), join(dir, 'radio', 'r%v.m3u8')],
  ]);
}

const TYPES: Record<string, string> = { '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t' };

/** Serves `root` on 127.0.0.1 (ephemeral port), without CORS headers. */
async function serveStatic(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = resolve(root, `.${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`);
    if (!path.startsWith(root + sep)) return void res.writeHead(403).end();
    readFile(path).then(
      (body) =>
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let dir: string;
let http: { server: Server; origin: string } | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = resolve(await mkdtemp(join(tmpdir(), 'e2gate-browser-player-')));
  await Promise.all([mkdir(join(dir, 'tv')), mkdir(join(dir, 'radio'))]);
  // allSettled: whatever started is assigned before afterAll runs, so it is closed even when a step failed.
  const steps = await Promise.allSettled([
    makeTwoLanguageStream(dir),
    makeRadioStream(dir),
    serveStatic(dir).then((served) => (http = served)),
    launchBrowser().then((launched) => (browser = launched)),
  ]);
  const failed = steps.find((step) => step.status === 'rejected');
  if (failed) throw failed.reason;
}, 30_000);

afterAll(async () => {
  await closeBrowser(browser);
  http?.server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('browser player harness (hls.js in headless Chromium)', () => {
  it('plays H.264 + two AAC renditions, lists deu/eng, keeps advancing across an audio switch and a seek back', async () => {
    const player = await openPlayer(browser!, `${http!.origin}/tv/index.m3u8`, {
      hlsConfig: { maxBufferLength: 4 },
    });
    try {
      expect(await player.waitForPlaying(10_000)).toBeGreaterThan(0);
      await player.waitForProgress(2, 5_000);
      const tracks = await player.audioTracks();
      expect(tracks.map((t) => t.lang)).toEqual(['deu', 'eng']);
      expect(new Set(tracks.map((t) => t.groupId)).size).toBe(1);

      await player.switchAudio(1);
      const switched = await player.waitForProgress(1.5, 5_000);
      expect(switched.audioTrack).toBe(1);

      const before = await player.currentTime();
      const target = await player.seekBy(-2);
      expect(target).toBeCloseTo(before - 2, 0);
      const after = await player.waitForProgress(0.5, 5_000);
      expect(after.currentTime).toBeLessThan(before);
      expect(await player.fatalErrors()).toEqual([]);
    } finally {
      await player.close();
    }
  }, 30_000);

  it('plays an audio-only AAC stream (radio)', async () => {
    const player = await openPlayer(browser!, `${http!.origin}/radio/index.m3u8`);
    try {
      await player.waitForPlaying(10_000);
      await player.waitForProgress(2, 5_000);
      expect(await player.fatalErrors()).toEqual([]);
    } finally {
      await player.close();
    }
  }, 20_000);

  it('fails early, naming what the page saw, when the playlist does not exist', async () => {
    const player = await openPlayer(browser!, `${http!.origin}/missing/index.m3u8`);
    try {
      await expect(player.waitForPlaying(5_000)).rejects.toThrow(
        /fatal error before playing.*manifestLoadError/,
      );
      expect((await player.fatalErrors()).map((e) => e.details)).toContain('manifestLoadError');
    } finally {
      await player.close();
    }
  }, 10_000);
});
