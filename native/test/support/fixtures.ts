// Broadcast-like fixture streams, generated on demand by test/fixtures/make-fixtures.sh (ffmpeg lavfi) and
// cached in .cache/fixtures; nothing large is committed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../test/fixtures/make-fixtures.sh', import.meta.url));

/** Generates (or finds cached) several fixtures at once; call it from `beforeAll`, whose timeout is long. */
export function prepareFixtures(...names: string[]): void {
  execFileSync('bash', [script, ...names], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export function fixturePath(name: string): string {
  const dir = execFileSync('bash', [script, name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return join(dir, `${name}.ts`);
}

export function fixture(name: string): Buffer {
  return readFileSync(fixturePath(name));
}
