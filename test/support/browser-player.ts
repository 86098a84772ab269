import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type { HlsConfig } from 'hls.js';
import { chromium, errors as playwrightErrors, type Browser, type Page } from 'playwright-core';

/**
 * hls.js (full build, from npm) in the system's headless Chromium (Debian `chromium`, installed by
 * scripts/setup.sh), driven by playwright-core: no browser download, never `playwright install`.
 * The player page is served on the origin of the stream under test by intercepting one path
 * (`page.route`), so the page's requests are same-origin and the server needs no CORS headers.
 * Every wait is bounded, ends early on a fatal hls.js error, and says what the page saw.
 */

const PAGE_PATH = '/__e2gate-test-player/';
const HLS_JS = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), 'utf8');
/** Applied under the caller's `hlsConfig`: a bounded back buffer for long sessions. */
const DEFAULT_HLS_CONFIG: Partial<HlsConfig> = { backBufferLength: 90 };
/**
 * `--no-sandbox`: Chromium's sandbox refuses to start as root and in most containers.
 * `--disable-dev-shm-usage`: Docker's 64 MiB /dev/shm crashes renderers. Autoplay without a gesture (the
 * page's video is muted as well).
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--autoplay-policy=no-user-gesture-required',
];

export interface HlsError {
  type: string;
  details: string;
  /** Fatal and not recovered from. */
  fatal: boolean;
  /** Fatal, and the page opened the source again (`PlayerOptions.recover`). */
  recovered?: boolean;
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
  ended: boolean;
  readyState: number;
  buffered: [number, number][];
  /** ms from `loadSource` to the video's first `playing` event; null until then. */
  playingAfterMs: number | null;
  /** Every hls.js ERROR event, plus `play()` rejections (type `play`) and `video.error` (type `media`). */
  errors: HlsError[];
  audioTrack: number;
  /** Seconds played in all (timeline jumps from seeks and new sessions left out). */
  watched: number;
  /** How often the page opened the source again after a fatal error (`PlayerOptions.recover`). */
  recoveries: number;
}

export interface PlayerOptions {
  /** hls.js options, JSON-serialisable ones only (they travel into the page as JSON). */
  hlsConfig?: Partial<HlsConfig>;
  /** On a fatal hls.js error, open the source again a second later (as a web player does) instead of failing. */
  recover?: boolean;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$E2GATE_CHROMIUM`, else `chromium`/`chromium-browser` on PATH, else Debian's and Ubuntu's fixed paths. */
export function findChromium(): string {
  const fromEnv = process.env['E2GATE_CHROMIUM'];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`E2GATE_CHROMIUM=${fromEnv} is not an executable file`);
  }
  const onPath = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')]);
  const found = [...onPath, '/usr/bin/chromium', '/usr/lib/chromium/chromium'].find(isExecutable);
  if (found) return found;
  throw new Error(
    'Chromium not found: run `npm run setup` (apt-get install chromium) or set E2GATE_CHROMIUM to its path',
  );
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
}

/** Closes a browser from `launchBrowser`; tolerates `undefined` so an `afterAll` survives a failed launch. */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close();
}

/** Opens a page that plays `url` (a multivariant or media playlist) with hls.js. */
export function openPlayer(browser: Browser, url: string, options: PlayerOptions = {}): Promise<Player> {
  return Player.open(browser, url, options);
}

const PLAYER_HTML = `<!doctype html><html><body>
<video id="video" muted playsinline></video>
<script src="hls.js"></script>
<script>
  const video = document.getElementById('video');
  const errors = [];
  let hls = null;
  let source = null;
  let startedAt = null;
  let playingAfterMs = null;
  let watched = 0;
  let lastTime = null;
  let recoveries = 0;
  const ranges = (r) => Array.from({ length: r.length }, (_, n) => [r.start(n), r.end(n)]);
  video.addEventListener('playing', () => {
    if (playingAfterMs === null && startedAt !== null) playingAfterMs = performance.now() - startedAt;
  });
  // Seconds actually played, whatever the timeline does (a seek or a new session jumps it).
  video.addEventListener('timeupdate', () => {
    const delta = lastTime === null ? 0 : video.currentTime - lastTime;
    if (delta > 0 && delta < 1.5) watched += delta;
    lastTime = video.currentTime;
  });
  video.addEventListener('seeking', () => { lastTime = null; });
  video.addEventListener('error', () => {
    const e = video.error;
    errors.push({ type: 'media', details: e ? e.code + ' ' + e.message : 'unknown', fatal: true });
  });
  function load() {
    const instance = new Hls(source.config);
    let failed = false;
    hls = instance;
    instance.on(Hls.Events.ERROR, (_event, d) => {
      const recover = d.fatal && source.recover;
      errors.push({ type: d.type, details: d.details, fatal: d.fatal && !recover, recovered: recover });
      if (!recover || failed) return;
      // What a web player does when its stream is gone (a transcoder died): open the channel again.
      failed = true;
      recoveries++;
      setTimeout(() => { instance.destroy(); lastTime = null; load(); }, 1000);
    });
    instance.on(Hls.Events.MANIFEST_PARSED, () =>
      video.play().catch((e) => errors.push({ type: 'play', details: String(e), fatal: e.name !== 'AbortError' })));
    instance.attachMedia(video);
    instance.loadSource(source.src);
  }
  window.player = {
    start(src, config, recover) {
      if (!Hls.isSupported()) throw new Error('hls.js: MediaSource is not supported in this browser');
      source = { src, config, recover };
      startedAt = performance.now();
      load();
    },
    state: () => ({
      currentTime: video.currentTime, paused: video.paused, ended: video.ended, readyState: video.readyState,
      buffered: ranges(video.buffered), playingAfterMs, errors, audioTrack: hls ? hls.audioTrack : -1,
      watched, recoveries,
    }),
    fatal: () => errors.some((e) => e.fatal),
    audioTracks: () => hls.audioTracks.map((t) => ({ id: t.id, name: t.name, lang: t.lang, groupId: t.groupId })),
    switchAudio: (n) => { hls.audioTrack = n; },
    levels: () => hls.levels.map((l) => ({ width: l.width, height: l.height, bitrate: l.bitrate })),
    switchLevel: (n) => { hls.currentLevel = n; },
    level: () => ({ current: hls.currentLevel, loading: hls.loadLevel }),
    seekTo: (t) => { video.currentTime = t; return video.currentTime; },
    seekBy: (d) => { video.currentTime = video.currentTime + d; return video.currentTime; },
    seekableStart: () => (video.seekable.length > 0 ? video.seekable.start(0) : NaN),
  };
</script></body></html>`;

export class Player {
  private readonly pageErrors: string[] = [];

  private constructor(
    private readonly page: Page,
    private readonly url: string,
  ) {
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') this.pageErrors.push(message.text());
    });
  }

  /** Opens a page on `url`'s origin that plays `url` with hls.js; see {@link openPlayer}. */
  static async open(browser: Browser, url: string, options: PlayerOptions = {}): Promise<Player> {
    const target = new URL(url);
    const page = await browser.newPage();
    const player = new Player(page, url);
    try {
      await page.route(`${target.origin}${PAGE_PATH}**`, (route) =>
        new URL(route.request().url()).pathname.endsWith('/hls.js')
          ? route.fulfill({ contentType: 'text/javascript', body: HLS_JS })
          : route.fulfill({ contentType: 'text/html', body: PLAYER_HTML }),
      );
      await page.goto(`${target.origin}${PAGE_PATH}`, { timeout: 10_000 });
      const config = { ...DEFAULT_HLS_CONFIG, ...options.hlsConfig };
      const src = target.pathname + target.search;
      const recover = options.recover === true;
      await page.evaluate(
        `window.player.start(${JSON.stringify(src)}, ${JSON.stringify(config)}, ${recover})`,
      );
    } catch (error) {
      await page.close();
      throw new Error(`player: could not start ${url}: ${String(error)}; page errors: ${player.pageErrors}`);
    }
    return player;
  }

  state(): Promise<PlayerState> {
    return this.page.evaluate('window.player.state()');
  }

  async currentTime(): Promise<number> {
    return (await this.state()).currentTime;
  }

  /** Resolves with the ms from `loadSource` to the video's first `playing` event. */
  async waitForPlaying(timeoutMs: number): Promise<number> {
    const state = await this.until('window.player.state().playingAfterMs !== null', 'playing', timeoutMs);
    return state.playingAfterMs as number;
  }

  /** Waits until `currentTime` has advanced by `seconds` from where it is now. */
  async waitForProgress(seconds: number, timeoutMs: number): Promise<PlayerState> {
    const target = (await this.currentTime()) + Number(seconds);
    const what = `currentTime >= ${target.toFixed(2)} (+${seconds} s)`;
    return this.until(`window.player.state().currentTime >= ${target}`, what, timeoutMs);
  }

  /** Waits until `seconds` more have been played, across seeks and recoveries. */
  async waitForWatched(seconds: number, timeoutMs: number): Promise<PlayerState> {
    const target = (await this.state()).watched + Number(seconds);
    return this.until(`window.player.state().watched >= ${target}`, `${seconds} s more played`, timeoutMs);
  }

  audioTracks(): Promise<AudioTrack[]> {
    return this.page.evaluate('window.player.audioTracks()');
  }

  /** Selects `hls.audioTracks[index]`. */
  async switchAudio(index: number): Promise<void> {
    await this.page.evaluate(`window.player.switchAudio(${Number(index)})`);
  }

  /** The variants (`hls.levels`) the multivariant playlist offers. */
  levels(): Promise<{ width: number; height: number; bitrate: number }[]> {
    return this.page.evaluate('window.player.levels()');
  }

  /** Plays variant `index` from now on (`hls.currentLevel`: switches at once, flushing what was buffered). */
  async switchLevel(index: number): Promise<void> {
    await this.page.evaluate(`window.player.switchLevel(${Number(index)})`);
  }

  /** The variant playing (`hls.currentLevel`) and the one loading. */
  level(): Promise<{ current: number; loading: number }> {
    return this.page.evaluate('window.player.level()');
  }

  /** Seeks to `seconds` on the media timeline; resolves with the new `currentTime`. */
  seekTo(seconds: number): Promise<number> {
    return this.page.evaluate(`window.player.seekTo(${Number(seconds)})`);
  }

  /** Seeks by `deltaSeconds` (negative: back); resolves with the new `currentTime`. */
  seekBy(deltaSeconds: number): Promise<number> {
    return this.page.evaluate(`window.player.seekBy(${Number(deltaSeconds)})`);
  }

  /** The start of the seekable range (the oldest point of the timeshift window); NaN before any. */
  seekableStart(): Promise<number> {
    return this.page.evaluate('window.player.seekableStart()');
  }

  async errors(): Promise<HlsError[]> {
    return (await this.state()).errors;
  }

  async fatalErrors(): Promise<HlsError[]> {
    return (await this.errors()).filter((error) => error.fatal);
  }

  close(): Promise<void> {
    return this.page.close();
  }

  /** Waits for `condition` (a page expression), or fails early on a fatal error; bounded by `timeoutMs`. */
  private async until(condition: string, what: string, timeoutMs: number): Promise<PlayerState> {
    const options = { timeout: timeoutMs, polling: 100 };
    const timedOut = await this.page
      .waitForFunction(`(${condition}) || window.player.fatal()`, undefined, options)
      .then(
        () => false,
        (error: unknown) => {
          if (error instanceof playwrightErrors.TimeoutError) return true;
          throw error;
        },
      );
    const [met, state] = await Promise.all([this.page.evaluate(`Boolean(${condition})`), this.state()]);
    if (met) return state;
    const why = timedOut ? `${what} not within ${timeoutMs} ms` : `fatal error before ${what}`;
    throw new Error(`player: ${why}; ${await this.describe()}`);
  }

  private async describe(): Promise<string> {
    const state = await this.state().catch((error: unknown) => `state unavailable (${String(error)})`);
    const pageErrors = this.pageErrors.slice(-10).join(' | ') || 'none';
    return `url ${this.url}; saw ${JSON.stringify(state)}; page errors: ${pageErrors}`;
  }
}
