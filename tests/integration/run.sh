#!/usr/bin/env bash
# Runs every tests/integration/test_*.sh (or those whose name contains FILTER) one after the
# other and sums their "integration: N passed, M failed" and "integration: K skipped" lines. A
# file that dies without the summary line counts as one failure.
#   tests/integration/run.sh [FILTER]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
filter=${1:-}
passed=0
failed=0
skipped=0
log=$(mktemp /tmp/dockerup-integration.XXXXXX)
trap 'rm -f "$log"' EXIT

for test_file in "$here"/test_*.sh; do
  [[ -n "$filter" && "$(basename "$test_file")" != *"$filter"* ]] && continue
  echo "== $(basename "$test_file")"
  bash "$test_file" 2>&1 | tee "$log"
  skips=$(grep -E '^integration: [0-9]+ skipped$' "$log" | tail -n 1 | grep -Eo '[0-9]+')
  skipped=$((skipped + ${skips:-0}))
  summary=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  if [[ "$summary" =~ ^integration:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    echo "FAIL $(basename "$test_file"): ended without a summary line" >&2
    failed=$((failed + 1))
  fi
done

echo "integration skipped: $skipped (each with its reason on a \"skip\" line above)"
echo "integration total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
