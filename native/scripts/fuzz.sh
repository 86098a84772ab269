#!/usr/bin/env bash
# Runs every cargo-fuzz target of native/fuzz for a bounded time and prints one line per target:
#   FUZZ <target> ok       the target ran coverage-guided for FUZZ_SECONDS (default 25) without a finding
#   FUZZ <target> failed   it crashed, found an input that breaks an assertion, or could not run
# Only stable Rust exists here; cargo-fuzz passes nightly flags (-Zsanitizer=address, -Cpasses=sancov),
# which RUSTC_BOOTSTRAP=1 lets the stable compiler accept. The log must show libFuzzer's coverage counters,
# so an uninstrumented (random, not coverage-guided) run counts as failed.
# Seeds: the first bytes of real fixture streams (test/fixtures/make-fixtures.sh) for the byte-level targets.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
fuzz_dir="$root/native/fuzz"
seconds="${FUZZ_SECONDS:-25}"
export RUSTC_BOOTSTRAP=1
if ! command -v cargo >/dev/null && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
cd "$fuzz_dir" || exit 1
targets=(demux es_parsers mux_demux segment_demux)

fail_all() {
  for target in "${targets[@]}"; do echo "FUZZ $target failed"; done
  exit 1
}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked (native/scripts/setup.sh does it)" >&2
  fail_all
fi
if ! cargo fuzz build -O >"$fuzz_dir/build.log" 2>&1; then
  tail -n 30 "$fuzz_dir/build.log" >&2
  fail_all
fi

seed() {
  local target="$1" dir="$fuzz_dir/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    demux | es_parsers)
      local fixtures
      fixtures="$(bash "$root/test/fixtures/make-fixtures.sh" t3_576i_mpeg2 t4_720p_eac3 radio_mp2 radio_latm 2>/dev/null)" || return 0
      for name in t3_576i_mpeg2 t4_720p_eac3 radio_mp2 radio_latm; do
        [ -s "$dir/seed_$name" ] || head -c 16384 "$fixtures/$name.ts" >"$dir/seed_$name"
      done
      ;;
  esac
}

status=0
for target in "${targets[@]}"; do
  seed "$target"
  log="$fuzz_dir/$target.log"
  cargo fuzz run -O "$target" -- -max_total_time="$seconds" -max_len=32768 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"$log" 2>&1
  code=$?
  counters="$(grep -oE 'Loaded [0-9]+ modules +\(([0-9]+) inline 8-bit counters' "$log" | grep -oE '\(([0-9]+)' | tr -d '(' | head -n 1)"
  runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')"
  coverage="$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)"
  if [ "$code" -eq 0 ] && [ "${counters:-0}" -gt 0 ]; then
    echo "FUZZ $target ok"
    echo "  $target: ${runs:-?} runs in ${seconds}s, ${coverage:-cov: ?} of ${counters} edges" >&2
  else
    echo "FUZZ $target failed"
    tail -n 40 "$log" >&2
    status=1
  fi
done
exit "$status"
