#!/usr/bin/env node
// The package's install script (npm runs it for this workspace on `npm install` / `npm ci`): builds the addon
// from source, unless the built addon already matches the sources.
//   SKIP_NATIVE_BUILD=1   install without building (the addon is then missing; tests that need it fail)
//   --if-changed          (used by native/scripts/setup.sh) same check, quieter
// When the build cannot run, it says which apt packages or which tool is missing and exits non-zero.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const nativeDir = fileURLToPath(new URL('..', import.meta.url));
const addon = join(nativeDir, 'e2gate-native.linux-x64-gnu.node');
const stampFile = join(nativeDir, 'target', '.e2gate-addon-stamp');
const quiet = process.argv.includes('--if-changed');

function log(message) {
  console.error(`[@e2gate/native] ${message}`);
}

function ok(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

/** Puts rustup's default location on PATH when cargo is not there yet (fresh shells after rustup). */
function findCargo() {
  if (ok('cargo', ['--version'])) return true;
  const rustupCargo = join(homedir(), '.cargo', 'bin');
  if (existsSync(join(rustupCargo, 'cargo'))) {
    process.env.PATH = `${rustupCargo}:${process.env.PATH ?? ''}`;
    return ok('cargo', ['--version']);
  }
  return false;
}

function hasLibclang() {
  const roots = ['/usr/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib64'];
  const llvm = existsSync('/usr/lib')
    ? readdirSync('/usr/lib')
        .filter((d) => d.startsWith('llvm-'))
        .map((d) => `/usr/lib/${d}/lib`)
    : [];
  return [...roots, ...llvm].some(
    (dir) => existsSync(dir) && readdirSync(dir).some((f) => /^libclang(-\d+)?\.so/.test(f)),
  );
}

/** apt packages whose absence stops the build, for the message. */
function missingPackages() {
  const missing = [];
  if (!ok('cc', ['--version'])) missing.push('build-essential');
  if (!ok('pkg-config', ['--version'])) missing.push('pkg-config');
  else {
    const libs = {
      libavcodec: 'libavcodec-dev',
      libavformat: 'libavformat-dev',
      libavutil: 'libavutil-dev',
      libswresample: 'libswresample-dev',
    };
    for (const [lib, pkg] of Object.entries(libs))
      if (!ok('pkg-config', ['--exists', lib])) missing.push(pkg);
  }
  if (!hasLibclang()) missing.push('clang', 'libclang-dev');
  return missing;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(rs|toml)$/.test(entry)) yield path;
  }
}

function sourceHash() {
  const hash = createHash('sha256');
  for (const file of ['Cargo.toml', 'Cargo.lock', 'package.json'])
    hash.update(readFileSync(join(nativeDir, file)));
  for (const file of sourceFiles(join(nativeDir, 'crates'))) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

if (process.env.SKIP_NATIVE_BUILD === '1') {
  log('SKIP_NATIVE_BUILD=1: not building the addon');
  process.exit(0);
}
const wanted = sourceHash();
if (existsSync(addon) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted) {
  if (!quiet) log('addon is up to date');
  process.exit(0);
}
const hasCargo = findCargo();
const missing = missingPackages();
if (!hasCargo || missing.length > 0) {
  log('cannot build the media engine from source.');
  if (missing.length > 0)
    log(`missing Debian packages: ${missing.join(' ')}\n    sudo apt-get install -y ${missing.join(' ')}`);
  if (!hasCargo) log('missing cargo (Rust >= 1.95): install it with rustup, https://rustup.rs');
  log('or set SKIP_NATIVE_BUILD=1 to install without the addon.');
  process.exit(1);
}
log('building the addon from source (release)…');
const status = build({ release: true });
if (status !== 0) {
  log(`the build failed (exit ${status}); see the cargo output above`);
  process.exit(status);
}
mkdirSync(join(nativeDir, 'target'), { recursive: true });
writeFileSync(stampFile, wanted);
