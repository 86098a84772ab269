#!/usr/bin/env bash
# Called by scripts/setup.sh after `npm ci`: installs cargo-fuzz when missing (for native/scripts/fuzz.sh)
# and rebuilds the addon when Rust sources changed since the last build (developers edit Rust without
# re-running npm ci). Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  printf '\033[1;34m[setup]\033[0m installing cargo-fuzz\n'
  cargo install cargo-fuzz --locked --quiet
fi
if [ "${SKIP_NATIVE_BUILD:-}" != 1 ]; then
  node scripts/install.mjs --if-changed
fi
