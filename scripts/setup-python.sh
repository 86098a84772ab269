#!/usr/bin/env bash
# Python tools the gateway's e2e tests use: schemathesis (property-based API fuzzing of the OpenAPI document) and
# openapi-spec-validator. Installed into a virtual environment under .cache/python (PEP 668 forbids pip into
# Debian's system Python). Idempotent: returns at once when the pinned versions are there.
# Debian needs python3-venv for this (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/python
PACKAGES=(schemathesis==4.32.5 openapi-spec-validator==0.9.0)
STAMP="$VENV/.e2gate-packages"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "${PACKAGES[*]}" ] && [ -x "$VENV/bin/st" ]; then
  exit 0
fi
if ! command -v python3 >/dev/null; then
  echo "python3 not found: apt-get install python3 python3-venv" >&2
  exit 1
fi
printf '\033[1;34m[setup]\033[0m installing Python test tools into %s: %s\n' "$VENV" "${PACKAGES[*]}"
python3 -m venv "$VENV" || {
  echo "python3 -m venv failed: apt-get install python3-venv" >&2
  exit 1
}
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
echo "${PACKAGES[*]}" >"$STAMP"
