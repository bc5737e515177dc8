#!/usr/bin/env bash
# Runs the integration suite (tests/integration/run.sh) against every Docker engine dockerup is
# tested with, and adds the runs up:
#   debian12  Debian 12's docker.io 20.10 (API 1.41): the host's daemon on /var/run/docker.sock,
#             which scripts/ensure-dockerd.sh starts when none runs
#   debian13  Debian 13's docker.io 26.1 (API 1.45) with containerd 1.7, fetched by package name
#             from the Debian archive and unpacked, not installed (scripts/private-dockerd.sh);
#             a private daemon in its own network namespace, started here and destroyed after
#
#   scripts/engines-integration.sh [FILTER]      FILTER as for tests/integration/run.sh
#   DOCKERUP_ENGINES="debian13"                  only these engines (default: both)
#
# One engine at a time: the private daemon is started after the Debian 12 run has ended and
# destroyed before this script ends, so no two suites (or two daemons under test) overlap.
# It has its own data root, bridge, iptables and 127.0.0.1 (see private-dockerd.sh); its
# suite runs entirely inside its network namespace (registry, published ports, IMDS emulator).
# The host's daemon is left running (idle) meanwhile: other users of this machine need it.
# Prints one "integration (ENGINE ...): N passed, M failed" line per engine, then
# "integration total: N passed, M failed" (what scripts/test.sh adds up).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
filter=${1:-}
engines=${DOCKERUP_ENGINES:-debian12 debian13}
private=$top/scripts/private-dockerd.sh
logs=$(mktemp -d /tmp/dockerup-engines.XXXXXX)

passed=0
failed=0
skipped=0
shares=()

# suite [PREFIX...]: the suite through PREFIX (the netns wrapper), first naming the engine.
suite() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  "$@" bash -c 'echo "engine: $(timeout 20 docker version \
                  --format "Docker {{.Server.Version}}, API {{.Server.APIVersion}}" 2>&1)"
                bash "$0/tests/integration/run.sh" "$1"' "$top" "$filter"
}

# The private daemon of this run: named after this process, so that two runs on one machine
# (a developer's and CI's) never destroy each other's daemon.
private_name() { echo "ci${1#debian}-$$"; }

# Daemons of earlier runs whose process is gone (interrupted): removed before starting.
destroy_stale() {
  local dir name pid
  for dir in "${DOCKERUP_ENGINES_STATE:-/var/lib/dockerup-engines}"/ci[0-9]*-*; do
    [ -d "$dir" ] || continue
    name=${dir##*/}
    pid=${name##*-}
    [[ "$pid" =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null && "$private" destroy "$name"
  done
}

start_private() {  # ENGINE: starts this run's daemon for ENGINE and makes the test images on it
  local engine=$1 name
  name=$(private_name "$engine")
  destroy_stale >/dev/null 2>&1
  if ! "$private" start "$name" --engine "$engine"; then
    echo "engines: the $engine daemon did not start"
    return 1
  fi
  if ! "$private" exec "$name" bash "$top/scripts/make-test-images.sh"; then
    echo "engines: making the test images on the $engine daemon failed"
    return 1
  fi
}

# run_engine ENGINE: everything for one engine, output on stdout.
# DOCKERUP_ENGINE tells the tests which engine this is (test_tls_remote.sh starts its TLS
# daemon from the same engine).
run_engine() {
  local engine=$1
  local -x DOCKERUP_ENGINE=$engine
  case $engine in
    debian12) suite env -u DOCKER_HOST ;;
    debian13)
      start_private "$engine" && suite "$private" exec "$(private_name "$engine")"
      "$private" destroy "$(private_name "$engine")" ;;
    *) echo "engines: unknown engine $engine" ;;
  esac
}

# add_share ENGINE LOG SECONDS: reads the suite's total from LOG; a log without one counts as
# a failure.
add_share() {
  local engine=$1 log=$2 took=$3 summary what skips
  summary=$(grep -E '^integration total: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  what=$(grep -m1 '^engine: ' "$log" | cut -d' ' -f2-)
  skips=$(grep -E '^integration skipped: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' | head -n 1)
  skipped=$((skipped + ${skips:-0}))
  if [[ "$summary" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    shares+=("integration ($engine, ${what:-?}): ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed, ${skips:-0} skipped, ${took}s")
  else
    failed=$((failed + 1))
    shares+=("integration ($engine, ${what:-?}): no total (counted as 1 failure), ${took}s")
  fi
}

header() { echo; echo "=== integration tests against $1"; }

# An interrupted run (Ctrl-C, CI's time limit) leaves no daemon behind.
trap 'for engine in $engines; do [ "$engine" = debian12 ] ||
        "$private" destroy "$(private_name "$engine")" >/dev/null 2>&1; done; rm -rf "$logs"' EXIT

started=$SECONDS
for engine in $engines; do
  header "$engine"
  engine_started=$SECONDS
  run_engine "$engine" 2>&1 | tee "$logs/$engine.log"
  add_share "$engine" "$logs/$engine.log" $((SECONDS - engine_started))
done

echo
echo "integration took $((SECONDS - started))s"
printf '%s\n' "${shares[@]}"
echo "integration skipped: $skipped (each with its reason on a \"skip\" line above)"
echo "integration total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
