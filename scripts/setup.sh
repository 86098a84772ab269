#!/usr/bin/env bash
# Installs whatever is missing for e2gate on Debian 12 (system packages, npm dependencies, the Rust addon)
# and builds the TypeScript. Idempotent: a second run only checks and returns quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config clang libclang-dev
  libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev libswresample-dev libswscale-dev libva-dev
  ffmpeg nats-server xmltv-util libxmltv-perl libxml2-utils hdhomerun-config wrk python3-venv
  chromium
)

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

missing_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$pkg"
  done
}

install_system_packages() {
  local missing
  missing=$(missing_packages)
  [ -z "$missing" ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Missing system packages: $missing (this script installs them on Debian/Ubuntu only)" >&2
    exit 1
  fi
  local sudo=''
  [ "$(id -u)" -ne 0 ] && sudo='sudo'
  log "installing Debian packages: $missing"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

check_rust() {
  if ! command -v cargo >/dev/null; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      echo "cargo not found: install Rust with rustup (https://rustup.rs) or 'apt-get install cargo'" >&2
      exit 1
    fi
  fi
}

install_node_modules() {
  local stamp=node_modules/.e2gate-lock-hash
  local want
  want=$(sha256sum package-lock.json native/package.json 2>/dev/null | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "installing npm dependencies (npm ci; builds the native addon)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
}

# promtool (alert rules and /metrics checks in the tests) from Debian's prometheus package, unpacked into .cache
# rather than installed: installing it would also start a Prometheus server.
install_promtool() {
  local target=.cache/promtool/usr/bin/promtool
  [ -x "$target" ] && return 0
  log "unpacking promtool from Debian's prometheus package into .cache/promtool"
  local work
  work=$(mktemp -d)
  if ! (cd "$work" && apt-get download prometheus >/dev/null 2>&1); then
    local sudo=''
    [ "$(id -u)" -ne 0 ] && sudo='sudo'
    $sudo apt-get update -qq
    (cd "$work" && apt-get download prometheus >/dev/null)
  fi
  rm -rf .cache/promtool
  mkdir -p .cache/promtool
  dpkg-deb -x "$work"/prometheus_*.deb .cache/promtool
  rm -rf "$work"
  "$target" --version >/dev/null
}

install_system_packages
install_promtool
check_rust
install_node_modules
bash scripts/setup-python.sh
if [ -x native/scripts/setup.sh ]; then
  native/scripts/setup.sh
fi
log "building TypeScript"
npm run --silent build
log "building the web app"
npm run --silent build:web
log "ready"
