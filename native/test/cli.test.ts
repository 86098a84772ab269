// `npm run remux`: the command users and benchmarks run, end to end through the binding.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { fixturePath, prepareFixtures } from './support/fixtures.js';
import { decodeErrors, formatDuration, packets, span, streams, tempFile } from './support/ffprobe.js';

beforeAll(() => prepareFixtures('radio_mp2', 't4_720p_eac3'));

const remux = fileURLToPath(new URL('../scripts/remux.mjs', import.meta.url));

function run(args: string[], input?: Buffer) {
  return spawnSync('node', [remux, ...args], { input, maxBuffer: 64 * 1024 * 1024 });
}

describe('remux CLI', () => {
  it('writes a transport stream with AAC audio and reports its statistics', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'e2gate-cli-')), 'out.ts');
    const result = run(['--audio-bitrate', '128k', fixturePath('t4_720p_eac3'), out]);
    expect(result.status).toBe(0);
    expect(result.stderr.toString()).toMatch(
      /remux: closed; program 28106;.*streams h264@256 aac\(eng\)@257/,
    );
    expect(streams(out).map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(decodeErrors(out)).toEqual([]);
  });

  it('writes HLS segments and a playlist that ffprobe reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2gate-cli-hls-'));
    const result = run(['--hls', dir, '--segment', '4', '--quiet', fixturePath('t4_720p_eac3')]);
    expect(result.status).toBe(0);
    const playlist = readFileSync(join(dir, 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    const segmentFiles = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(playlist.match(/#EXTINF/g)).toHaveLength(segmentFiles.length);
    expect(Math.abs(formatDuration(join(dir, 'index.m3u8')) - 20)).toBeLessThan(0.1);
  });

  it('reads stdin and writes stdout', () => {
    const result = run(['--quiet', '-', '-'], readFileSync(fixturePath('radio_mp2')));
    expect(result.status).toBe(0);
    const out = tempFile('piped.ts', result.stdout);
    expect(streams(out).map((s) => [s.codec_name, s.tags?.language])).toEqual([['aac', 'deu']]);
  });

  it('delivers the AAC bit rate asked for on programme-like sound', () => {
    // Pink noise, as in broadcast programmes (a bare test tone needs far fewer bits than any rate asked for).
    const dir = mkdtempSync(join(tmpdir(), 'e2gate-cli-rate-'));
    const delivered = (rate: string) => {
      const out = join(dir, `${rate}.ts`);
      expect(run(['--quiet', '--audio-bitrate', rate, fixturePath('radio_mp2'), out]).status).toBe(0);
      const audio = packets(out, 'a:0');
      const bytes = audio.reduce((sum, p) => sum + Number(p.size), 0);
      const { start, end } = span(audio);
      return (bytes * 8) / (end - start) / 1000;
    };
    for (const [rate, kbps] of [
      ['96k', 96],
      ['192k', 192],
    ] as const) {
      const measured = delivered(rate);
      expect(measured, `${rate}: ${measured.toFixed(1)} kb/s`).toBeGreaterThan(kbps * 0.85);
      expect(measured, `${rate}: ${measured.toFixed(1)} kb/s`).toBeLessThan(kbps * 1.1);
    }
  });

  it('rejects a bad option with the engine error code', () => {
    const result = run(['--audio-bitrate', '5', fixturePath('radio_mp2'), '/dev/null']);
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toContain('ERR_NATIVE_INVALID_OPTIONS');
  });
});
