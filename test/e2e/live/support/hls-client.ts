// What a test needs to act as an HLS client of the gateway: fetch and parse playlists, wait for segments, download
// and probe them (ffprobe as the oracle).
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { tempFile } from '../../../../native/test/support/ffprobe.js';
import {
  parseMediaPlaylist,
  parseMultivariant,
  type MediaPlaylist,
  type Multivariant,
} from '../../../support/hls-checker.js';
import { until } from './live-stack.js';

const run = promisify(execFile);

export async function get(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

export async function multivariantOf(
  url: string,
): Promise<{ url: string; multivariant: Multivariant; text: string }> {
  const response = await get(url);
  expect(response.status, response.text).toBe(200);
  expect(response.type).toBe('application/vnd.apple.mpegurl');
  return { url, multivariant: parseMultivariant(response.text), text: response.text };
}

/** Polls a media playlist until it lists `count` segments; every poll must keep the target duration. */
export async function warmed(url: string, count: number): Promise<MediaPlaylist> {
  let playlist: MediaPlaylist | null = null;
  const targets = new Set<number | null>();
  await until(
    `${count} segments in ${url}`,
    async () => {
      const response = await get(url);
      expect(response.status, response.text).toBe(200);
      playlist = parseMediaPlaylist(response.text);
      targets.add(playlist.targetDuration);
      return playlist.segments.length >= count;
    },
    40_000,
  );
  expect([...targets]).toHaveLength(1);
  return playlist!;
}

export async function probe(bytes: Buffer, extra: string[] = []): Promise<Record<string, unknown>> {
  const file = tempFile('segment.ts', bytes);
  const { stdout } = await run('ffprobe', ['-v', 'error', ...extra, '-show_streams', '-of', 'json', file]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

export async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('video/mp2t');
  return Buffer.from(await response.arrayBuffer());
}

export interface ProbedStream {
  codec_name: string;
  codec_type: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  channels?: number;
  tags?: { language?: string };
}

/** Polls a session's video playlist every 2 s as a player would, which keeps the session alive. */
export class SessionKeeper {
  private constructor(
    private readonly loop: Promise<void>,
    private readonly control: { running: boolean },
  ) {}

  static async start(indexUrl: string): Promise<SessionKeeper> {
    const { url, multivariant } = await multivariantOf(indexUrl);
    const videoUrl = new URL(multivariant.variants[0]!.uri, url).href;
    const control = { running: true };
    const loop = (async () => {
      while (control.running) {
        await fetch(videoUrl).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
        await sleep(2_000);
      }
    })();
    return new SessionKeeper(loop, control);
  }

  async stop(): Promise<void> {
    this.control.running = false;
    await this.loop;
  }
}
