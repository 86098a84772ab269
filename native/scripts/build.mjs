#!/usr/bin/env node
// Builds the addon from source (release) and regenerates the ESM loader index.js and index.d.ts.
// @napi-rs/cli is fetched by npx on purpose: listing it in a package.json breaks `npm ci` on this platform.
// Usage: node native/scripts/build.mjs [--debug]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const NAPI_CLI = '@napi-rs/cli@3.10.12';
const nativeDir = fileURLToPath(new URL('..', import.meta.url));

export function build({ release = true } = {}) {
  const args = [
    '--yes',
    '-p',
    NAPI_CLI,
    'napi',
    'build',
    '--platform',
    '--esm',
    '--manifest-path',
    'crates/napi/Cargo.toml',
  ];
  args.push(
    '--package-json-path',
    'package.json',
    '--output-dir',
    '.',
    '--js',
    'index.js',
    '--dts',
    'index.d.ts',
  );
  if (release) args.push('--release');
  const result = spawnSync('npx', args, {
    cwd: nativeDir,
    stdio: 'inherit',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  return result.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(build({ release: !process.argv.includes('--debug') }));
}
