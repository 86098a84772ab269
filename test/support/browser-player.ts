import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * hls.js (full build, from npm) in Debian's headless Chromium, driven by playwright-core (no browser download).
 * The player page is served on the origin of the stream under test by intercepting one path, so the page's
 * requests are same-origin and the server needs no CORS. Every wait is bounded and says what the page saw.
 */

const CHROMIUM = process.env['E2GATE_CHROMIUM'] ?? '/usr/bin/chromium';
const PAGE_PATH = '/__e2gate-test-player/';
const HLS_JS = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), 'utf8');

export interface HlsError {
  type: string;
  details: string;
  fatal: boolean;
}

export interface AudioTrack {
  id: number;
  name: string;
  lang: string;
  groupId: string;
}

export interface PlayerState {
  currentTime: number;
  paused: boolean;
  readyState: number;
  buffered: [number, number][];
  playingAfterMs: number | null;
  errors: HlsError[];
  audioTrack: number;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
}

const PLAYER_HTML = `<!doctype html><html><body>
<video id="video" muted playsinline></video>
<script src="hls.js"></script>
<script>
  window.errors = [];
  window.playingAfterMs = null;
  const video = document.getElementById('video');
  const started = performance.now();
  video.addEventListener('playing', () => { if (window.playingAfterMs === null) window.playingAfterMs = performance.now() - started; });
  const hls = new Hls({ backBufferLength: 90 });
  window.hls = hls;
  hls.on(Hls.Events.ERROR, (_event, data) => window.errors.push({ type: data.type, details: data.details, fatal: data.fatal }));
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch((error) => window.errors.push({ type: 'play', details: String(error), fatal: true })));
  hls.loadSource(new URLSearchParams(location.search).get('src'));
  hls.attachMedia(video);
  const ranges = (r) => Array.from({ length: r.length }, (_, n) => [r.start(n), r.end(n)]);
  window.player = {
    state: () => ({
      currentTime: video.currentTime, paused: video.paused, readyState: video.readyState,
      buffered: ranges(video.buffered), playingAfterMs: window.playingAfterMs, errors: window.errors,
      audioTrack: hls.audioTrack,
    }),
    audioTracks: () => hls.audioTracks.map((t) => ({ id: t.id, name: t.name, lang: t.lang, groupId: t.groupId })),
    switchAudio: (n) => { hls.audioTrack = n; },
    seekTo: (t) => { video.currentTime = t; },
    seekableStart: () => (video.seekable.length > 0 ? video.seekable.start(0) : NaN),
  };
</script></body></html>`;

export class Player {
  private constructor(private readonly page: Page) {}

  /** Opens a page on `url`'s origin that plays `url` (a multivariant playlist) with hls.js. */
  static async open(browser: Browser, url: string): Promise<Player> {
    const origin = new URL(url).origin;
    const page = await browser.newPage();
    await page.route(`${origin}${PAGE_PATH}**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      return path.endsWith('/hls.js')
        ? route.fulfill({ contentType: 'text/javascript', body: HLS_JS })
        : route.fulfill({ contentType: 'text/html', body: PLAYER_HTML });
    });
    const src = new URL(url);
    await page.goto(`${origin}${PAGE_PATH}?src=${encodeURIComponent(src.pathname + src.search)}`);
    return new Player(page);
  }

  state(): Promise<PlayerState> {
    return this.page.evaluate('window.player.state()');
  }

  /** Resolves with the ms from `loadSource` to the video's first `playing` event. */
  async waitForPlaying(timeoutMs: number): Promise<number> {
    const state = await this.until((s) => s.playingAfterMs !== null, 'playing', timeoutMs);
    return state.playingAfterMs as number;
  }

  /** Waits until `currentTime` has advanced by `seconds` from now. */
  async waitForProgress(seconds: number, timeoutMs: number): Promise<PlayerState> {
    const from = (await this.state()).currentTime;
    return this.until(
      (s) => s.currentTime >= from + seconds,
      `currentTime ${from} + ${seconds} s`,
      timeoutMs,
    );
  }

  audioTracks(): Promise<AudioTrack[]> {
    return this.page.evaluate('window.player.audioTracks()');
  }

  async switchAudio(index: number): Promise<void> {
    await this.page.evaluate(`window.player.switchAudio(${Number(index)})`);
  }

  /** Seeks to `seconds` on the media timeline. */
  async seekTo(seconds: number): Promise<void> {
    await this.page.evaluate(`window.player.seekTo(${Number(seconds)})`);
  }

  /** The start of the seekable range (the oldest point of the timeshift window). */
  seekableStart(): Promise<number> {
    return this.page.evaluate('window.player.seekableStart()');
  }

  async fatalErrors(): Promise<HlsError[]> {
    return (await this.state()).errors.filter((error) => error.fatal);
  }

  close(): Promise<void> {
    return this.page.close();
  }

  private async until(
    test: (state: PlayerState) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<PlayerState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.state();
      if (test(state)) return state;
      if (Date.now() > deadline)
        throw new Error(`player: ${what} not within ${timeoutMs} ms; saw ${JSON.stringify(state)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
