import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** The browser globals the page functions below use (this tsconfig has no DOM library; they run in the page). */
declare const document: { querySelector(selector: string): { currentTime: number } | null };

/** Where the test run leaves its screenshots (and timings) for review: `test-results/web/`. */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'web');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A browser profile of one person: its pages' console errors and uncaught exceptions are collected. */
export class WebUser {
  readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(
    browser: Browser,
    baseURL: string,
    options: { locale?: string; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<WebUser> {
    const context = await browser.newContext({
      baseURL,
      viewport: DESKTOP,
      locale: options.locale ?? 'en-US',
      colorScheme: options.colorScheme ?? 'light',
    });
    const page = await context.newPage();
    const user = new WebUser(context, page);
    page.on('console', (message) => {
      if (message.type() === 'error') user.problems.push(`console: ${message.text()} (${page.url()})`);
    });
    page.on('pageerror', (error) => user.problems.push(`exception: ${error.message} (${page.url()})`));
    return user;
  }

  /** Signs in through the sign-in page as a person would. */
  async signIn(token: string): Promise<void> {
    await this.page.goto('/signin');
    await this.page.getByLabel('Access token').fill(token);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.waitForURL(/\/channels/);
  }

  /** A screenshot at desktop and phone size, `<name>-desktop.png` and `<name>-phone.png`. */
  async screenshots(name: string): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const size = this.page.viewportSize() ?? DESKTOP;
    for (const [label, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await this.page.setViewportSize(viewport);
      await this.page.waitForTimeout(150);
      await this.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${label}.png`) });
    }
    await this.page.setViewportSize(size);
  }

  /** axe-core's serious and critical violations on the page as it is now (rule id: what failed). */
  async accessibilityViolations(): Promise<string[]> {
    await this.page.evaluate(AXE_SOURCE);
    const violations = await this.page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run();
      return result.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map(
          (violation) =>
            `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
        );
    });
    return violations;
  }

  /** The video's currentTime once it has advanced by `by` seconds; fails after `timeoutMs`. */
  async videoAdvances(selector: string, by: number, timeoutMs: number): Promise<number> {
    await this.page.waitForSelector(selector, { timeout: timeoutMs });
    const start = await this.page.$eval(
      selector,
      (video) => (video as unknown as { currentTime: number }).currentTime,
    );
    const handle = await this.page.waitForFunction(
      ({ selector, target }) => {
        const video = document.querySelector(selector);
        return video && video.currentTime >= target ? video.currentTime : false;
      },
      { selector, target: start + by },
      { timeout: timeoutMs, polling: 100 },
    );
    return (await handle.jsonValue()) as number;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}
