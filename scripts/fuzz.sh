#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (-fsanitize=fuzzer,address,undefined,
# in their own build dir) and runs each for a bounded time, seeded from tests/fuzz/corpus/NAME/.
#
#   scripts/fuzz.sh [HARNESS...]        default: every tests/fuzz/fuzz_*.cpp
#   FUZZ_SECONDS=30                     fuzzing time per harness
#   FUZZ_PARALLEL=2                     harnesses fuzzed at the same time
#   FUZZ_BUILD_DIR=build-fuzz           the clang build dir
#
# Prints one line per harness, "fuzz: NAME: passed (R runs, E exec/s)" or "fuzz: NAME: FAILED
# (...)", then "fuzz: N passed, M failed". Inputs the fuzzer finds go to BUILD_DIR/fuzz-corpus
# (the committed seeds are never modified); a crashing input is saved as
# BUILD_DIR/fuzz-artifacts/NAME/crash-*: reproduce with BUILD_DIR/tests/fuzz/fuzz_NAME FILE, then
# fix the code and commit the input to tests/fuzz/corpus/NAME/ as a regression seed.
# Exit status: 0 all passed, 1 a harness failed, 2 the build failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${FUZZ_BUILD_DIR:-$top/build-fuzz}
seconds=${FUZZ_SECONDS:-30}

if [ ! -f "$dir/build.ninja" ]; then
  # b_lundef=false: clang's sanitizer runtimes are linked into executables, not libraries.
  CC=clang CXX=clang++ meson setup "$dir" "$top" -Dfuzz=true -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false || { echo "fuzz: build FAILED (setup)"; exit 2; }
fi
if ! ninja -C "$dir" -j"${FUZZ_JOBS:-2}" fuzzers; then
  echo "fuzz: build FAILED"
  exit 2
fi

if [ $# -gt 0 ]; then
  harnesses=("$@")
else
  harnesses=()
  for source in "$top"/tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$source" .cpp)
    harnesses+=("${name#fuzz_}")
  done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:suppressions=$top/tests/fuzz/ubsan.supp"

# run_harness NAME: fuzzes NAME for $seconds; prints its one result line (and the crash's
# first lines); exit status 0 when it passed.
run_harness() {
  local name=$1 binary seeds work artifacts log status runs speed crash
  binary="$dir/tests/fuzz/fuzz_$name"
  seeds="$top/tests/fuzz/corpus/$name"
  work="$dir/fuzz-corpus/$name"
  artifacts="$dir/fuzz-artifacts/$name/"
  log="$dir/fuzz-logs/$name.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  if [ ! -x "$binary" ] || [ ! -d "$seeds" ]; then
    echo "fuzz: $name: FAILED (no harness $binary or no seed corpus $seeds)"
    return 1
  fi
  # New inputs go to the first corpus dir ($work); the seeds are read (and each one run first,
  # so a committed crash input fails at once). -close_fd_mask=3 silences the code's own logging;
  # libFuzzer and the sanitizers keep reporting. timeout: a hang of the fuzzer itself.
  timeout --kill-after=10 $((seconds + 120)) "$binary" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=3 -artifact_prefix="$artifacts" \
    "$work" "$seeds" >"$log" 2>&1
  status=$?
  runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -n 1)
  speed=$(awk '/stat::average_exec_per_sec:/ {print $2}' "$log" | tail -n 1)
  if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
    echo "fuzz: $name: passed (${runs} runs, ${speed} exec/s)"
    return 0
  fi
  crash=$(ls -t "$artifacts" 2>/dev/null | head -n 1)
  echo "fuzz: $name: FAILED (exit $status; log $log${crash:+; input $artifacts$crash})"
  grep -E 'ERROR: |SUMMARY: |fuzz property violated|runtime error' "$log" | head -n 5 | sed 's/^/    /'
  return 1
}

# FUZZ_PARALLEL harnesses at a time (default 2, the CI machine's cores): each still fuzzes for
# $seconds, so the stage takes about 1/FUZZ_PARALLEL of the time. Results print in order.
parallel=${FUZZ_PARALLEL:-2}
results=$(mktemp -d /tmp/dockerup-fuzz.XXXXXX)
trap 'rm -rf "$results"' EXIT
running=0
for name in "${harnesses[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_harness "$name" >"$results/$name" 2>&1 &
  running=$((running + 1))
done
wait
passed=0
failed=0
for name in "${harnesses[@]}"; do
  cat "$results/$name"
  if grep -q "^fuzz: $name: passed" "$results/$name"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
