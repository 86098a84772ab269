/**
 * `npm run bench:web`: the web app at the size the issue names — 1,500 channels, 7 days of EPG — against the whole
 * stack in processes of their own (live-stack.ts), in Debian's headless Chromium. Measures:
 *   1. the channels page: ms from navigation to the first rows with now/next, and the page's DOM size;
 *   2. zapping: ms from Enter on a channel nobody watches to the video playing, over BENCH_WEB_STARTS cold channels,
 *      beside bare hls.js (the test player page) opening the same kind of cold channel — what the app adds;
 *   3. the guide: ms to the first programmes; then scrolling the whole grid, every row top to bottom and one row
 *      across all 7 days, one step per animation frame: frame times (p50/p95/max, frames over 50 ms), the most
 *      grid elements alive at once, and the EPG requests and bytes that scrolling caused.
 * BENCH_WEB_CHANNELS (1500), BENCH_WEB_DAYS (7), BENCH_WEB_STARTS (5) override the defaults.
 */
import type { Browser, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, openPlayer } from '../support/browser-player.js';
import { BENCH_TOKEN, percentile, printTable, startBenchStack, type BenchChannel } from './live-stack.js';

const CHANNELS = Number(process.env['BENCH_WEB_CHANNELS'] ?? 1500);
const DAYS = Number(process.env['BENCH_WEB_DAYS'] ?? 7);
const STARTS = Number(process.env['BENCH_WEB_STARTS'] ?? 5);
/** Chromium starts these on any keyframe (closed GOPs), so a start measures the stack, not the GOP structure. */
const CLOSED_GOP_FIXTURES = ['t2_1080i_eac3_ad_wrap', 't4_720p_eac3'];
const PLAYING_TIMEOUT_MS = 30_000;

/** The browser globals the page functions below use (this tsconfig has no DOM library; they run in the page). */
interface Scroller {
  scrollTop: number;
  scrollLeft: number;
  scrollHeight: number;
  scrollWidth: number;
  clientHeight: number;
  clientWidth: number;
  querySelectorAll(selector: string): { length: number };
}
declare const document: {
  querySelector(selector: string): Scroller & { currentTime: number };
  getElementsByTagName(name: string): { length: number };
};
declare function requestAnimationFrame(callback: (time: number) => void): void;

const stack = await startBenchStack({
  name: 'bench:web',
  sim: { channels: CHANNELS, bouquets: 10, epgDays: DAYS },
  gatewayEnv: { E2GATE_HLS_PROFILE: 'aac' },
});
let browser: Browser | undefined;
try {
  browser = await launchBrowser();
  const context = await browser.newContext({
    baseURL: stack.gatewayUrl,
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  await page.goto('/signin');
  await page.getByLabel('Access token').fill(BENCH_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/channels/);

  const channelsPage = await measureChannelsPage(page);
  const cold = stack.channels.filter((c) => CLOSED_GOP_FIXTURES.includes(c.fixture));
  const zaps = await measureZaps(page, browser, cold);
  const guide = await measureGuide(page);

  console.log(`\n1. channels page (${CHANNELS} channels)`);
  printTable(
    ['first rows with now/next', 'DOM elements'],
    [[`${channelsPage.firstRowsMs} ms`, String(channelsPage.elements)]],
  );
  console.log(`\n2. zapping to a channel nobody watches (${STARTS} starts each, closed-GOP channels)`);
  printTable(
    ['', 'p50', 'max', 'failed'],
    [
      row('web app: Enter → playing', zaps.app.times, zaps.app.failed),
      row('bare hls.js: loadSource → playing', zaps.bare.times, zaps.bare.failed),
    ],
  );
  console.log(
    `   ratio web app / bare hls.js (p50): ${(percentile(zaps.app.times, 50) / percentile(zaps.bare.times, 50)).toFixed(2)}`,
  );
  console.log(`\n3. guide (${CHANNELS} channels × ${DAYS} days)`);
  printTable(
    [
      'first programmes',
      'frames',
      'frame p50',
      'frame p95',
      'frame max',
      'frames > 50 ms',
      'most grid elements',
      'EPG requests',
      'EPG bytes',
    ],
    [
      [
        `${guide.firstProgrammesMs} ms`,
        String(guide.frames.length),
        `${percentile(guide.frames, 50).toFixed(1)} ms`,
        `${percentile(guide.frames, 95).toFixed(1)} ms`,
        `${Math.max(...guide.frames).toFixed(1)} ms`,
        String(guide.frames.filter((frame) => frame > 50).length),
        String(guide.mostElements),
        String(guide.requests),
        `${(guide.bytes / 1024).toFixed(0)} KiB`,
      ],
    ],
  );
} finally {
  await closeBrowser(browser);
  await stack.close();
}

function row(name: string, times: number[], failed: number): string[] {
  return [
    name,
    `${percentile(times, 50).toFixed(0)} ms`,
    `${Math.max(...times).toFixed(0)} ms`,
    String(failed),
  ];
}

async function measureChannelsPage(page: Page): Promise<{ firstRowsMs: number; elements: number }> {
  const started = performance.now();
  await page.goto('/channels');
  await page.locator('.channel progress').first().waitFor();
  const firstRowsMs = Math.round(performance.now() - started);
  await page.waitForLoadState('networkidle');
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { firstRowsMs, elements };
}

interface Starts {
  times: number[];
  failed: number;
}

/** Alternating: the app on one cold channel, bare hls.js on the next; each channel started once. */
async function measureZaps(
  page: Page,
  browser: Browser,
  channels: BenchChannel[],
): Promise<{ app: Starts; bare: Starts }> {
  const app: Starts = { times: [], failed: 0 };
  const bare: Starts = { times: [], failed: 0 };
  for (let n = 0; n < STARTS * 2 && n < channels.length; n++) {
    const channel = channels[n] as BenchChannel;
    if (n % 2 === 0) {
      await page.goto('/channels');
      const link = page.locator(`a.channel[href="/watch/${channel.id}"]`);
      await link.focus();
      const pressed = performance.now();
      await page.keyboard.press('Enter');
      try {
        await page.waitForFunction(() => document.querySelector('#live-video').currentTime > 0, undefined, {
          timeout: PLAYING_TIMEOUT_MS,
          polling: 20,
        });
        app.times.push(performance.now() - pressed);
      } catch {
        app.failed++;
      }
    } else {
      const url = `${stack.gatewayUrl}/hls/${channel.id}/index.m3u8?profile=aac&token=${BENCH_TOKEN}`;
      const player = await openPlayer(browser, url);
      try {
        bare.times.push(await player.waitForPlaying(PLAYING_TIMEOUT_MS));
      } catch {
        bare.failed++;
      } finally {
        await player.close();
      }
    }
  }
  await page.goto('/channels');
  return { app, bare };
}

interface GuideFigures {
  firstProgrammesMs: number;
  frames: number[];
  mostElements: number;
  requests: number;
  bytes: number;
}

async function measureGuide(page: Page): Promise<GuideFigures> {
  const started = performance.now();
  await page.goto('/guide');
  await page.locator('button.programme').first().waitFor();
  const firstProgrammesMs = Math.round(performance.now() - started);
  await page.waitForLoadState('networkidle');
  let requests = 0;
  let bytes = 0;
  page.on('response', (response) => {
    if (!response.url().includes('/api/v1/epg?')) return;
    requests++;
    void response.body().then(
      (body) => (bytes += body.length),
      () => undefined,
    );
  });
  const result = await page.evaluate(async () => {
    const guide = document.querySelector('.guide');
    const frames: number[] = [];
    let mostElements = 0;
    const frame = () => new Promise<number>((done) => requestAnimationFrame(done));
    let last = await frame();
    const step = async (apply: () => void) => {
      apply();
      const now = await frame();
      frames.push(now - last);
      last = now;
      mostElements = Math.max(mostElements, guide.querySelectorAll('*').length);
    };
    guide.scrollLeft = 0;
    while (guide.scrollTop + guide.clientHeight < guide.scrollHeight - 1) {
      await step(() => (guide.scrollTop += 600));
    }
    guide.scrollTop = guide.scrollHeight / 2;
    while (guide.scrollLeft + guide.clientWidth < guide.scrollWidth - 1) {
      await step(() => (guide.scrollLeft += 900));
    }
    return { frames, mostElements };
  });
  await page.waitForLoadState('networkidle');
  return { firstProgrammesMs, ...result, requests, bytes };
}
