import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, launchBrowser } from '../../support/browser-player.js';
import { STREAM_TOKEN, bearer } from '../gateway/support/gateway-harness.js';
import { call } from '../gateway/support/http.js';
import { startLiveStack, type LiveStack } from '../live/support/live-stack.js';
import { JobsClient, type JobView } from './support/jobs-client.js';

const run = promisify(execFile);
const UPLOAD_MAX_BYTES = 32 * 1024 * 1024;

/** A recording made browser-ready: the simulator's recording file → engine → MP4 in the artefact store → Chromium. */
let stack: LiveStack;
let jobs: JobsClient;
let browser: Browser | undefined;
const work = mkdtempSync(join(tmpdir(), 'e2gate-recording-jobs-'));

interface ProbedFile {
  format: { duration: string; format_name: string };
  streams: { codec_type: string; codec_name: string; tags?: { language?: string } }[];
}

async function ffprobe(path: string): Promise<ProbedFile> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout) as ProbedFile;
}

beforeAll(async () => {
  stack = await startLiveStack({
    transcoders: 1,
    transcoderEnv: { E2GATE_DATA_DIR: join(work, 'transcoder') },
    gatewayEnv: { E2GATE_UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) },
  });
  jobs = new JobsClient(stack.gateway.url, STREAM_TOKEN);
}, 180_000);
afterAll(async () => {
  await closeBrowser(browser);
  await stack?.close();
});

/** The first recording of the simulator that was recorded from an H.264 channel with two audio languages. */
async function recordingOf(fixture: string): Promise<{ id: string; file: string }> {
  const page = (
    await call(`${stack.gateway.url}/api/v1/recordings`, { headers: bearer(STREAM_TOKEN) })
  ).json<{ items: { id: string; title: string }[] }>();
  const recordings = stack.gateway.follower.current!.snapshot.recordings ?? [];
  const simulated = stack.sim.dataset.channels;
  for (const item of page.items) {
    const recording = recordings.find((r) => r.id === item.id)!;
    const channel = simulated.find((c) => c.name === recording.channelName);
    if (channel?.fixture === fixture) return { id: item.id, file: recording.file };
  }
  throw new Error(`no recording from a ${fixture} channel`);
}

describe('recording jobs', () => {
  let job: JobView;
  let source: ProbedFile;
  let mp4Path: string;

  it('makes an MP4 (H.264 copied, every audio track AAC with its language) of the recording’s length', async () => {
    const recording = await recordingOf('t1_720p50_ac3_mp2');
    const sourceBytes = Buffer.from(
      await (await fetch(`${stack.sim.url}/file?file=${encodeURIComponent(recording.file)}`)).arrayBuffer(),
    );
    const sourcePath = join(work, 'source.ts');
    writeFileSync(sourcePath, sourceBytes);
    source = await ffprobe(sourcePath);

    const created = await jobs.create({ kind: 'recording', recordingId: recording.id });
    job = await jobs.waitForState(created.id, 'succeeded', 90_000);
    expect(job.result).toMatchObject({ contentType: 'video/mp4' });
    expect(job.result!.fileName).toMatch(/\.mp4$/);
    expect(job.result!.artifactId).toMatch(/^art_/);

    const download = await fetch(`${stack.gateway.url}${job.result!.url}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    expect(download.headers.get('accept-ranges')).toBe('bytes');
    expect(download.headers.get('content-disposition')).toMatch(/^inline; filename=".+\.mp4"/);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(job.result!.sizeBytes);
    // Fast start: the index (moov) comes before the media data (mdat).
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    mp4Path = join(work, 'output.mp4');
    writeFileSync(mp4Path, bytes);

    const probed = await ffprobe(mp4Path);
    const video = probed.streams.filter((s) => s.codec_type === 'video');
    const audio = probed.streams.filter((s) => s.codec_type === 'audio');
    expect(video.map((s) => s.codec_name)).toEqual(['h264']);
    expect(audio.map((s) => s.codec_name)).toEqual(['aac', 'aac']);
    const sourceLanguages = source.streams
      .filter((s) => s.codec_type === 'audio')
      .map((s) => s.tags?.language);
    expect(audio.map((s) => s.tags?.language)).toEqual(sourceLanguages);
    expect(Math.abs(Number(probed.format.duration) - Number(source.format.duration))).toBeLessThan(0.5);
    expect(Math.abs(job.result!.durationSeconds! - Number(probed.format.duration))).toBeLessThan(0.1);
  }, 120_000);

  it('answers ranges with 206 and the exact bytes, 416 past the end, and refuses unsigned anonymous reads', async () => {
    const url = `${stack.gateway.url}${job.result!.url}`;
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());
    const middle = await fetch(url, { headers: { range: 'bytes=1000-200999' } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes 1000-200999/${whole.length}`);
    expect(Buffer.from(await middle.arrayBuffer()).equals(whole.subarray(1000, 201000))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-100' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 100))).toBe(true);
    const beyond = await fetch(url, { headers: { range: `bytes=${whole.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    const unsigned = await fetch(`${stack.gateway.url}/api/v1/artifacts/${job.result!.artifactId}`);
    expect(unsigned.status).toBe(401);
    const forged = await fetch(url.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expect(forged.status).toBe(401);
    const bearerRead = await fetch(`${stack.gateway.url}/api/v1/artifacts/${job.result!.artifactId}`, {
      headers: bearer(STREAM_TOKEN),
    });
    expect(bearerRead.status).toBe(200);
    await bearerRead.arrayBuffer();
  });

  it('plays in headless Chromium straight from its signed URL in a <video> element', async () => {
    browser = await launchBrowser();
    const page = await browser.newPage();
    const origin = stack.gateway.url;
    await page.route(`${origin}/__e2gate-test-video/`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><video id="v" muted autoplay playsinline src="${job.result!.url}"></video>`,
      }),
    );
    await page.goto(`${origin}/__e2gate-test-video/`);
    // Page code as text: this file is compiled without the DOM library.
    await page.waitForFunction(
      "(() => { const v = document.getElementById('v'); return v.error !== null || v.currentTime > 1.5; })()",
      undefined,
      { timeout: 20_000 },
    );
    const state = (await page.evaluate(
      "(() => { const v = document.getElementById('v'); return { time: v.currentTime, error: v.error ? v.error.message : null, width: v.videoWidth }; })()",
    )) as { time: number; error: string | null; width: number };
    expect(state.error).toBeNull();
    expect(state.time).toBeGreaterThan(1.5);
    expect(state.width).toBe(1280);
  }, 60_000);

  it('remuxes any file URL of the receiver the same way, and refuses a source on another host', async () => {
    const recording = await recordingOf('t1_720p50_ac3_mp2');
    const sourceUrl = `${stack.sim.url}/file?file=${encodeURIComponent(recording.file)}`;
    const created = await jobs.create({ kind: 'remux', sourceUrl, output: { video: 'copy' } });
    const done = await jobs.waitForState(created.id, 'succeeded', 90_000);
    const baseName = recording.file.split('/').at(-1)!.replace(/\.ts$/, '');
    expect(done.result!.fileName).toBe(`${baseName}.mp4`);
    expect(Math.abs(done.result!.durationSeconds! - Number(source.format.duration))).toBeLessThan(0.5);

    const elsewhere = await jobs.create({ kind: 'remux', sourceUrl: 'http://127.0.0.2:9/film.ts' });
    const refused = await jobs.waitForState(elsewhere.id, 'failed');
    expect(refused.failure).toMatchObject({ class: 'input_error', code: 'JOB_SOURCE_NOT_RECEIVER' });
    for (const sourceUrl of ['file:///etc/passwd', 'not a url', '']) {
      const reply = await jobs.submit({ kind: 'remux', sourceUrl });
      expect(reply.status, sourceUrl).toBe(400);
    }
  }, 120_000);

  it('remuxes a transport stream uploaded into the artefact store; refuses what is not one, or too large', async () => {
    const upload = (body: Buffer, contentType = 'video/mp2t', name = 'Der Film.ts') =>
      fetch(`${stack.gateway.url}/api/v1/artifacts?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { ...bearer(STREAM_TOKEN), 'content-type': contentType },
        body,
      });
    const bytes = readFileSync(join(work, 'source.ts'));
    expect(bytes.length).toBeLessThan(UPLOAD_MAX_BYTES);
    const stored = await upload(bytes);
    expect(stored.status).toBe(201);
    const artifact = (await stored.json()) as { artifactId: string; sizeBytes: number; fileName: string };
    expect(artifact).toMatchObject({ sizeBytes: bytes.length, fileName: 'Der Film.ts' });
    const created = await jobs.create({
      kind: 'remux',
      sourceArtifactId: artifact.artifactId,
      title: 'Der Film',
    });
    const done = await jobs.waitForState(created.id, 'succeeded', 90_000);
    expect(done.result!.fileName).toBe('Der Film.mp4');
    expect(Math.abs(done.result!.durationSeconds! - Number(source.format.duration))).toBeLessThan(0.5);

    const notTs = await upload(Buffer.from('<html>'.repeat(1000)));
    expect(notTs.status).toBe(400);
    expect(((await notTs.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
    const wrongType = await upload(bytes.subarray(0, 188 * 10), 'application/octet-stream');
    expect(wrongType.status).toBe(415);
    const packet = Buffer.alloc(188, 0xff);
    packet[0] = 0x47;
    const tooLarge = await upload(
      Buffer.concat(Array.from({ length: UPLOAD_MAX_BYTES / 188 + 2 }, () => packet)),
    );
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    const missing = await jobs.submit({ kind: 'remux', sourceArtifactId: 'art_00000000000000000000000000' });
    expect(missing.status).toBe(404);
    const both = await jobs.submit({
      kind: 'remux',
      sourceArtifactId: artifact.artifactId,
      sourceUrl: `${stack.sim.url}/file?file=x.ts`,
    });
    expect(both.status).toBe(400);
  }, 120_000);

  it('stops a running conversion when canceled and leaves no partial output', async () => {
    const recording = await recordingOf('t1_720p50_ac3_mp2');
    // A transcode of the video keeps the engine busy for several seconds.
    const created = await jobs.create({
      kind: 'recording',
      recordingId: recording.id,
      output: { video: 'h264' },
    });
    await jobs.waitForState(created.id, 'running', 30_000);
    await jobs.waitFor(created.id, (job) => (job.progress?.fraction ?? 0) > 0, 30_000).catch(() => undefined);
    const canceledAt = Date.now();
    expect((await jobs.request('DELETE', `/api/v1/jobs/${created.id}`)).status).toBe(202);
    const canceled = await jobs.waitForState(created.id, 'canceled', 10_000);
    expect(Date.now() - canceledAt).toBeLessThan(10_000);
    expect(canceled.result).toBeUndefined();
    expect(readdirSync(join(work, 'transcoder', 'job-work'))).toEqual([]);
  }, 90_000);
});
