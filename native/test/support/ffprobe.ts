// ffprobe/ffmpeg as the independent oracle for everything the engine writes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProbedStream {
  index: number;
  codec_name: string;
  codec_type: string;
  profile?: string;
  level?: number;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  width?: number;
  height?: number;
  field_order?: string;
  start_time?: string;
  duration?: string;
  tags?: { language?: string };
  disposition?: { visual_impaired?: number };
}

export interface ProbedPacket {
  pts_time?: string;
  dts_time?: string;
  duration_time?: string;
  size?: string;
  flags: string;
}

export function tempFile(name: string, data: Buffer | string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'e2gate-native-')), name);
  writeFileSync(path, data);
  return path;
}

export function streams(file: string, extraArgs: string[] = []): ProbedStream[] {
  const json = execFileSync('ffprobe', ['-v', 'error', ...extraArgs, '-show_streams', '-of', 'json', file], {
    encoding: 'utf8',
  });
  return (JSON.parse(json) as { streams: ProbedStream[] }).streams;
}

export function packets(file: string, selector: string, extraArgs: string[] = []): ProbedPacket[] {
  const json = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      ...extraArgs,
      '-select_streams',
      selector,
      '-show_entries',
      'packet=pts_time,dts_time,duration_time,size,flags',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  return (JSON.parse(json) as { packets: ProbedPacket[] }).packets;
}

/** Lines ffmpeg prints at `-v error` while decoding every stream of `file` (empty: it decodes cleanly). */
export function decodeErrors(file: string, extraInputArgs: string[] = []): string[] {
  const result = spawnSync(
    'ffmpeg',
    ['-nostdin', '-v', 'error', ...extraInputArgs, '-i', file, '-map', '0', '-f', 'null', '-'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return result.stderr.split('\n').filter((line) => line.trim() !== '');
}

/**
 * Transport-level problems FFmpeg's demuxer finds in `file`: continuity-counter failures (logged only at debug
 * level, but they mark the PES corrupt) and packets it flags corrupt. Empty for a clean multiplex.
 */
export function transportErrors(file: string, extraInputArgs: string[] = []): string[] {
  const result = spawnSync(
    'ffmpeg',
    ['-nostdin', '-v', 'debug', ...extraInputArgs, '-i', file, '-map', '0', '-c', 'copy', '-f', 'null', '-'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  return result.stderr
    .split('\n')
    .filter((line) => /continuity check failed|corrupt (input )?packet|packet corrupt/i.test(line));
}

/** Media duration of a file or playlist as ffprobe's format reports it. */
export function formatDuration(file: string, extraArgs: string[] = []): number {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', ...extraArgs, '-show_entries', 'format=duration', '-of', 'csv=p=0', file],
    {
      encoding: 'utf8',
    },
  );
  return Number(out.trim());
}

/** First and last presentation time covered by a stream's packets (end includes the last packet's duration). */
export function span(list: ProbedPacket[]): { start: number; end: number } {
  const starts = list.map((p) => Number(p.pts_time)).filter((t) => Number.isFinite(t));
  const ends = list
    .map((p) => Number(p.pts_time) + Number(p.duration_time ?? 0))
    .filter((t) => Number.isFinite(t));
  return { start: Math.min(...starts), end: Math.max(...ends) };
}

/**
 * Fields of the first parameter set FFmpeg's `trace_headers` bitstream filter reads in the first video stream of
 * `file` (H.264 SPS, HEVC profile_tier_level, MPEG-2 sequence extension), by the spec's field names: an oracle for
 * the codecs string that shares no code with the engine.
 */
export function traceHeaders(file: string, names: string[]): Map<string, number> {
  const result = spawnSync(
    'ffmpeg',
    ['-nostdin', '-loglevel', 'verbose', '-i', file, '-map', '0:v:0', '-frames:v', '1', '-c', 'copy'].concat([
      '-bsf:v',
      'trace_headers',
      '-f',
      'null',
      '-',
    ]),
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const fields = new Map<string, number>();
  for (const line of result.stderr.split('\n')) {
    const match = /\[trace_headers[^\]]*\]\s+\d+\s+(\S+)\s+[01]+\s+=\s+(\d+)/.exec(line);
    if (match && names.includes(match[1]!) && !fields.has(match[1]!)) fields.set(match[1]!, Number(match[2]));
  }
  return fields;
}
