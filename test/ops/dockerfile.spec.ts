import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The Dockerfile cannot be built here (no Docker engine): these checks keep it in step with scripts/setup.sh, the
// tested way to build, and hold the image to its promises (non-root, runtime libraries only, a health check).

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const setup = readFileSync(new URL('../../scripts/setup.sh', import.meta.url), 'utf8');
const patterns = (file: string) =>
  readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
const instructions = dockerfile
  .split('\n')
  .filter((line) => !line.startsWith('#'))
  .join('\n');
const [buildStage, runtimeStage] = instructions.split(/^FROM node:20-bookworm-slim$/m) as [string, string];

/** The Debian packages scripts/setup.sh installs. */
function setupPackages(): string[] {
  const list = /APT_PACKAGES=\(([\s\S]*?)\)/.exec(setup)![1]!;
  return list.split(/\s+/).filter(Boolean);
}

describe('Dockerfile', () => {
  it('installs in its build stage every build dependency scripts/setup.sh installs', () => {
    const build = setupPackages().filter((pkg) => /-dev$|^build-essential$|^pkg-config$|^clang$/.test(pkg));
    expect(build.length).toBeGreaterThanOrEqual(10);
    for (const pkg of build) expect(buildStage, pkg).toMatch(new RegExp(`\\s${pkg}(\\s|$)`));
  });

  it('builds as scripts/setup.sh does: npm ci, the TypeScript, the web app', () => {
    expect(setup).toContain('npm ci');
    expect(setup).toContain('npm run --silent build\n');
    expect(setup).toContain('npm run --silent build:web');
    expect(buildStage).toMatch(/npm ci .*&& npm run build && npm run build:web/);
  });

  it('runs as a non-root user with /dev/dri access, no build tools, and a health check', () => {
    expect(runtimeStage).toMatch(/^USER e2gate$/m);
    expect(runtimeStage).toMatch(/--groups video,render e2gate/);
    expect(runtimeStage).not.toMatch(/-dev\b|build-essential|clang|cargo|rustup/);
    expect(runtimeStage).toMatch(/^HEALTHCHECK .*/m);
    expect(runtimeStage).toContain('/healthz');
    expect(runtimeStage).toMatch(/org\.opencontainers\.image\.version="\$\{VERSION\}"/);
  });

  it("ships a VAAPI driver for the vaapi profile: Mesa, and Intel's media driver on amd64", () => {
    expect(runtimeStage).toMatch(/\slibva2\s/);
    expect(runtimeStage).toMatch(/\smesa-va-drivers\s/);
    expect(runtimeStage).toMatch(/amd64.*\n.*intel-media-va-driver/);
  });

  it('stamps the version and commit where the running apps read them (build-info.json)', () => {
    expect(runtimeStage).toMatch(/"\$\{VERSION\}" "\$\{COMMIT\}" > \/app\/build-info\.json/);
  });
});

describe('.dockerignore', () => {
  it('keeps secrets, local state and the git history out of the build context (COPY . .), at any depth', () => {
    const ignored = patterns('.dockerignore');
    for (const secret of ['.git', '**/.env', '**/.env.*', '**/data/', '**/node_modules/'])
      expect(ignored).toContain(secret);
    expect(ignored).toContain('!**/.env.example');
  });

  it('ignores at least what git ignores, where git ignores it (Docker anchors patterns at the root)', () => {
    const ignored = new Set(patterns('.dockerignore'));
    for (const pattern of patterns('.gitignore')) {
      // git matches a pattern without an inner slash at any depth, and one that starts with a slash at the root.
      const anywhere = !pattern.replace(/\/$/, '').includes('/');
      expect(ignored, pattern).toContain(anywhere ? `**/${pattern}` : pattern);
    }
  });
});
