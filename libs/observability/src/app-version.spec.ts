import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBuildInfo } from './app-version.js';

const COMMIT = 'a'.repeat(39) + 'b';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'e2gate-build-info-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('readBuildInfo', () => {
  it("takes an image's build-info.json over everything else", () => {
    const root = project({
      'package.json': '{"name":"e2gate","version":"0.1.0"}',
      'build-info.json': `{"version":"0.1.0-12-g${COMMIT.slice(0, 7)}","commit":"${COMMIT}"}`,
      '.git/HEAD': `${'c'.repeat(40)}\n`,
    });
    expect(readBuildInfo(root)).toEqual({ version: `0.1.0-12-g${COMMIT.slice(0, 7)}`, commit: COMMIT });
  });

  it('reads the package version and the checked-out branch of a git checkout', () => {
    const root = project({
      'package.json': '{"name":"e2gate","version":"0.1.0"}',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/refs/heads/main': `${COMMIT}\n`,
    });
    expect(readBuildInfo(root)).toEqual({ version: '0.1.0', commit: COMMIT });
  });

  it('finds a branch in packed-refs and a detached HEAD', () => {
    const packed = project({
      'package.json': '{"name":"e2gate","version":"0.1.0"}',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${COMMIT} refs/heads/main\n`,
    });
    expect(readBuildInfo(packed).commit).toBe(COMMIT);
    const detached = project({ 'package.json': '{"version":"0.2.0"}', '.git/HEAD': `${COMMIT}\n` });
    expect(readBuildInfo(detached)).toEqual({ version: '0.2.0', commit: COMMIT });
  });

  it("follows a worktree's .git file to its git dir and the common dir's branches", () => {
    const root = project({
      'package.json': '{"name":"e2gate","version":"0.1.0"}',
      '.git': 'gitdir: main-repo/.git/worktrees/feature\n',
      'main-repo/.git/worktrees/feature/HEAD': 'ref: refs/heads/feature\n',
      'main-repo/.git/worktrees/feature/commondir': '../..\n',
      'main-repo/.git/refs/heads/feature': `${COMMIT}\n`,
    });
    expect(readBuildInfo(root).commit).toBe(COMMIT);
    const sha256 = 'd'.repeat(64);
    expect(readBuildInfo(project({ '.git/HEAD': `${sha256}\n` })).commit).toBe(sha256);
  });

  it('says unknown rather than guessing: no git, a broken stamp, an empty build argument', () => {
    const root = project({
      'package.json': '{"name":"e2gate","version":"0.1.0"}',
      'build-info.json': '{"version":"","commit":""}',
      '.git/HEAD': 'not a commit\n',
    });
    expect(readBuildInfo(root)).toEqual({ version: '0.1.0', commit: 'unknown' });
    expect(readBuildInfo(project({ 'build-info.json': '{not json' }))).toEqual({
      version: '0.0.0',
      commit: 'unknown',
    });
    expect(readBuildInfo(null)).toEqual({ version: '0.0.0', commit: 'unknown' });
  });
});
