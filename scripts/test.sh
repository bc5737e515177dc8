#!/usr/bin/env bash
# Everything CI checks, from a fresh Debian 12 as root (README quick start, command 2):
#   1. install the Debian packages        scripts/install-deps.sh
#   2. build with -Werror                 build/
#   3. run the unit tests                 meson test -C build
#   4. build and unit-test again under AddressSanitizer + UBSan    build-asan/
#   4b. build the libFuzzer harnesses with clang, run each ~30 s    build-fuzz/ (scripts/fuzz.sh)
#   5. start dockerd if needed, make the local test images
#   6. run the integration tests against each real engine: Debian 12's dockerd 20.10, then
#      Debian 13's 26.1 in a private daemon          scripts/engines-integration.sh
# The very last line is "N passed, M failed": doctest cases of both unit runs plus integration
# cases; the line before it counts the skipped cases. A stage that cannot run (a build error, no dockerd) counts as one failure, and the
# stages after it still run when they can. Exit status is non-zero if anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

passed=0
failed=0
skipped=0

stage() { echo; echo "=== $*"; }

count_failure() {  # WHAT
  echo "test.sh: FAILED: $1" >&2
  failed=$((failed + 1))
}

# Adds up the doctest summaries ("[doctest] test cases: 12 | 12 passed | 0 failed | 0 skipped")
# and the contract tests' (tests/contract/check_contract.py prints "[contract] test cases: ...")
# of one meson test log. A test executable that crashed prints no summary: meson's own verdict
# catches that.
count_unit_tests() {  # BUILD_DIR LABEL
  local dir=$1 label=$2 status log
  meson test -C "$dir" --print-errorlogs
  status=$?
  log="$dir/meson-logs/testlog.txt"
  local unit_passed=0 unit_failed=0 unit_skipped=0
  if [ -f "$log" ]; then
    read -r unit_passed unit_failed unit_skipped < <(awk '
      /\[(doctest|contract)\] test cases:/ {
        for (i = 1; i <= NF; i++) {
          if ($(i) == "passed") p += $(i - 1)
          if ($(i) == "failed") f += $(i - 1)
          if ($(i) == "skipped") s += $(i - 1)
        }
      }
      END { print p + 0, f + 0, s + 0 }' "$log")
  fi
  echo "$label: $unit_passed passed, $unit_failed failed, $unit_skipped skipped (doctest cases)"
  passed=$((passed + unit_passed))
  failed=$((failed + unit_failed))
  skipped=$((skipped + unit_skipped))
  if [ "$status" -ne 0 ] && [ "$unit_failed" -eq 0 ]; then
    count_failure "$label: meson test failed without a failing doctest case (crash?)"
  fi
  if [ "$unit_passed" -eq 0 ] && [ "$unit_failed" -eq 0 ]; then
    count_failure "$label: no unit test ran"
  fi
}

stage "install dependencies"
bash scripts/install-deps.sh || count_failure "install-deps.sh"

stage "build (werror)"
built=0
if bash scripts/build.sh --dir "$top/build" -Dwerror=true; then
  built=1
else
  count_failure "build"
fi

stage "unit tests"
[ "$built" = 1 ] && count_unit_tests build "unit"

stage "build (address,undefined sanitizers)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -O0: sanitizers need no optimiser, and the tree builds in about half the time.
if bash scripts/build.sh --dir "$top/build-asan" -Dwerror=true -Dbuildtype=debug \
    -Db_sanitize=address,undefined; then
  stage "unit tests (sanitizers)"
  count_unit_tests build-asan "unit-asan"
else
  count_failure "sanitizer build"
fi

stage "fuzz (libFuzzer + ASan/UBSan, clang; ${FUZZ_SECONDS:-30} s per harness)"
# Each harness is one case: "fuzz: NAME: passed (...)" or "fuzz: NAME: FAILED (...)".
fuzz_log=$(mktemp /tmp/dockerup-fuzz.XXXXXX)
bash scripts/fuzz.sh 2>&1 | tee "$fuzz_log"
fuzz_passed=$(grep -cE '^fuzz: [a-z_]+: passed' "$fuzz_log")
fuzz_failed=$(grep -cE '^fuzz: [a-z_]+: FAILED' "$fuzz_log")
rm -f "$fuzz_log"
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))
[ $((fuzz_passed + fuzz_failed)) -eq 0 ] && count_failure "fuzz: no harness ran (build failed?)"

stage "docker"
docker_ready=0
if bash scripts/ensure-dockerd.sh && bash scripts/make-test-images.sh; then
  docker_ready=1
else
  count_failure "dockerd or test images"
fi

stage "integration tests"
if [ "$built" = 1 ] && [ "$docker_ready" = 1 ]; then
  log=$(mktemp /tmp/dockerup-test.XXXXXX)
  bash scripts/engines-integration.sh 2>&1 | tee "$log"
  summary=$(grep -E '^integration total: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  skips=$(grep -E '^integration skipped: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' | head -n 1)
  skipped=$((skipped + ${skips:-0}))
  rm -f "$log"
  if [[ "$summary" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    count_failure "integration runner ended without a total"
  fi
else
  count_failure "integration tests not run"
fi

echo
echo "$skipped skipped"  # each skip printed its reason above; under CI=true only explained ones
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
