import type { StreamTarget } from './models.js';

/**
 * Reads `/web/stream.m3u`: trailing spaces, optional `#EXTINF`, `#EXTVLCOPT:program=<SID>`, one URL line
 * (openwebif reference §4). Returns null when no URL is present.
 */
export function parseStreamM3u(text: string): StreamTarget | null {
  let program: number | undefined;
  let name: string | undefined;
  let url: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line) continue;
    const programMatch = /^#EXTVLCOPT:program=(\d+)$/i.exec(line);
    if (programMatch) {
      program = Number(programMatch[1]);
      continue;
    }
    const infMatch = /^#EXTINF:[^,]*,(.*)$/.exec(line);
    if (infMatch) {
      name = infMatch[1]?.trim() || undefined;
      continue;
    }
    if (!line.startsWith('#') && /^[a-z][a-z0-9+.-]*:\/\//i.test(line)) {
      url ??= line;
    }
  }
  if (!url) return null;
  return { url, ...(program === undefined ? {} : { program }), ...(name === undefined ? {} : { name }) };
}
