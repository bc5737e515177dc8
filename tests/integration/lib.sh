# shellcheck shell=bash
# Shared harness for the integration tests: sourced by each tests/integration/test_*.sh.
#
# Every run gets a unique prefix (RUN_PREFIX). Each test case gets its own confdir, cache dir,
# config file and container-name prefix (P), so cases cannot see each other's leftovers. On
# exit (even on failure or Ctrl-C) the trap removes every container this run created and only
# those: names starting with RUN_PREFIX, containers labelled dockerup-test=RUN_PREFIX, and
# containers whose io.dockerup.source lies in this run's temp dir.
#
# A test file defines functions, registers each with `test_case NAME FUNCTION`, and ends with
# `finish`, which prints "integration: N passed, M failed" for tests/integration/run.sh to sum.

set -uo pipefail  # no -e: a failed assertion is counted, the next case still runs
umask 022         # dockerup refuses group/world-writable config files (strict_modes)

DOCKER=/usr/bin/docker
# The daemon's socket on this host: the engine under test (DOCKER_HOST, set by
# scripts/engines-integration.sh for a private daemon) or the default. Mount this one into
# containers that talk to Docker, never a fixed /var/run/docker.sock.
DOCKER_SOCKET=/var/run/docker.sock
[[ "${DOCKER_HOST:-}" == unix://* ]] && DOCKER_SOCKET=${DOCKER_HOST#unix://}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKERUP=${DOCKERUP:-$TOP/build/src/app/dockerup}
DOCKERUP_TIMEOUT=${DOCKERUP_TIMEOUT:-120}  # seconds one dockerup run may take
IMAGE_V1=dockerup-test/app:v1
IMAGE_V2=dockerup-test/app:v2

RUN_PREFIX="dut$$r$RANDOM"
WORK=$(mktemp -d "/tmp/$RUN_PREFIX.XXXXXX")
TEST_FILE=$(basename "$0" .sh)

PASSED=0
FAILED=0
SKIPPED=0
CASE_NO=0
BACKGROUND_PIDS=()

# ---------------------------------------------------------------------------------------------
# Cleanup

# IDs of the containers this run created (see the header for how they are recognised).
own_containers() {
  "$DOCKER" ps -a --no-trunc \
    --format '{{.ID}}|{{.Names}}|{{.Label "dockerup-test"}}|{{.Label "io.dockerup.source"}}' |
    while IFS='|' read -r id names test_label source; do
      if [[ "$names" == "$RUN_PREFIX"* || "$test_label" == "$RUN_PREFIX" ||
            "$source" == "$WORK/"* ]]; then
        echo "$id"
      fi
    done
}

remove_own_containers() {
  local ids
  ids=$(own_containers)
  [ -z "$ids" ] && return 0
  # shellcheck disable=SC2086 # one ID per word
  "$DOCKER" rm -f -v $ids >/dev/null 2>&1 || true
}

stop_background() {
  local pid
  for pid in "${BACKGROUND_PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  BACKGROUND_PIDS=()
}

# Local image tags this run made (pushed to the test registry); removed at exit.
OWN_IMAGES=()

cleanup_run() {
  stop_background
  remove_own_containers
  [ ${#OWN_IMAGES[@]} -gt 0 ] && "$DOCKER" rmi "${OWN_IMAGES[@]}" >/dev/null 2>&1
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup_run EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Per-case state

# Fresh directories and config for one case; sets CASE_DIR, CONFDIR, CACHE, CONF and P.
begin_case() {
  CASE_NO=$((CASE_NO + 1))
  CASE_DIR="$WORK/case$CASE_NO"
  CONFDIR="$CASE_DIR/containers.d"
  CACHE="$CASE_DIR/cache"
  CONF="$CASE_DIR/dockerup.conf"
  P="$RUN_PREFIX-$CASE_NO"
  RUN_NO=0
  RC=""
  OUT=""
  ERR=""
  LAST_COMMAND=""
  mkdir -p "$CONFDIR" "$CACHE"
  write_default_conf
}

# The config every case starts with. gc is off so that tests never remove images or containers
# that belong to someone else on this host; short waits keep the suite fast.
write_default_conf() {
  cat >"$CONF" <<CONF
; written by tests/integration/lib.sh
confdir=$CONFDIR
pull=false
gc=off
stop_timeout=2
start_wait=1
rolling_wait=1
CONF
}

# set_conf KEY VALUE: replaces (or adds) one key of the case's config file.
set_conf() {
  local key=$1 value=$2
  sed -i "/^$key=/d" "$CONF"
  echo "$key=$value" >>"$CONF"
}

# cname SHORT: the container name of SHORT in this case.
cname() { echo "$P-$1"; }

# write_spec FILE_STEM JSON: writes CONFDIR/FILE_STEM.json.
write_spec() { printf '%s\n' "$2" >"$CONFDIR/$1.json"; }

spec_path() { echo "$CONFDIR/$1.json"; }

# ---------------------------------------------------------------------------------------------
# Running dockerup

# run_dockerup ARGS...: one dockerup run against this case's config, confdir and cache.
# Sets RC, OUT and ERR; the files stay in CASE_DIR for failure reports.
run_dockerup() {
  RUN_NO=$((RUN_NO + 1))
  local out="$CASE_DIR/run$RUN_NO.out" err="$CASE_DIR/run$RUN_NO.err"
  LAST_COMMAND="dockerup --config $CONF --confdir $CONFDIR --cache $CACHE $*"
  timeout "$DOCKERUP_TIMEOUT" "$DOCKERUP" --config "$CONF" --confdir "$CONFDIR" --cache "$CACHE" \
    "$@" >"$out" 2>"$err" </dev/null
  RC=$?
  OUT=$(cat "$out")
  ERR=$(cat "$err")
}

# run_dockerup_raw ARGS...: dockerup with exactly ARGS (for usage errors).
run_dockerup_raw() {
  RUN_NO=$((RUN_NO + 1))
  local out="$CASE_DIR/run$RUN_NO.out" err="$CASE_DIR/run$RUN_NO.err"
  LAST_COMMAND="dockerup $*"
  timeout "$DOCKERUP_TIMEOUT" "$DOCKERUP" "$@" >"$out" 2>"$err" </dev/null
  RC=$?
  OUT=$(cat "$out")
  ERR=$(cat "$err")
}

# first_run NAME ARGS...: the run a case starts from (run_dockerup ARGS) must succeed and create
# container NAME; sets FIRST_ID to its ID. Returns 1 when it did not, so the case can `|| return`
# instead of checking what later runs kept against nothing.
first_run() {
  local name=$1
  shift
  run_dockerup "$@"
  assert_exit 0
  FIRST_ID=$(cid "$name")
  assert_ne "" "$FIRST_ID" "first run created $name"
}

# start_dockerup_background ARGS...: like run_dockerup, in the background; sets BACKGROUND_PID.
start_dockerup_background() {
  "$DOCKERUP" --config "$CONF" --confdir "$CONFDIR" --cache "$CACHE" "$@" \
    >"$CASE_DIR/background.out" 2>"$CASE_DIR/background.err" </dev/null &
  BACKGROUND_PID=$!
  BACKGROUND_PIDS+=("$BACKGROUND_PID")
}

# ---------------------------------------------------------------------------------------------
# Docker helpers

inspect() { "$DOCKER" inspect --format "$2" "$1" 2>/dev/null; }
cid() { inspect "$1" '{{.Id}}'; }
label_of() { inspect "$1" "{{index .Config.Labels \"$2\"}}"; }
env_of() { inspect "$1" '{{range .Config.Env}}{{println .}}{{end}}'; }
exists() { "$DOCKER" inspect "$1" >/dev/null 2>&1; }
is_running() { [ "$(inspect "$1" '{{.State.Running}}')" = true ]; }
image_id() { "$DOCKER" image inspect --format '{{.Id}}' "$1" 2>/dev/null; }

# How many containers (any state) dockerup manages under declared name NAME.
count_managed() {
  "$DOCKER" ps -a -q --filter "label=io.dockerup.name=$1" | wc -l
}

# run_by_hand NAME ARGS...: starts a container outside dockerup, labelled for cleanup.
run_by_hand() {
  local name=$1
  shift
  "$DOCKER" run -d --name "$name" --label "dockerup-test=$RUN_PREFIX" "$@" >/dev/null
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.2 s; fails after SECONDS.
wait_until() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 5; i++)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# http_get URL: the body, or nothing after 5 s.
http_get() { curl -s --max-time 5 "$1"; }

# host_port NAME CONTAINER_PORT: "ip:port" Docker bound for it.
host_port() { "$DOCKER" port "$1" "$2" 2>/dev/null | head -n 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_python NAME SCRIPT ARGS...: starts a python test server (tests/fleet_server.py,
# tests/imds_emulator.py) on a free 127.0.0.1 port and waits until it prints which; sets PORT and
# PYTHON_PID (stopped with the case). Its output: CASE_DIR/NAME.out and NAME.err.
start_python() {
  local name=$1 script=$2
  shift 2
  python3 "$script" --port 0 "$@" >"$CASE_DIR/$name.out" 2>"$CASE_DIR/$name.err" </dev/null &
  PYTHON_PID=$!
  BACKGROUND_PIDS+=("$PYTHON_PID")
  wait_until 20 grep -qs '^PORT ' "$CASE_DIR/$name.out" || {
    fail_assertion "$name did not start: $(cat "$CASE_DIR/$name.err")"
    return 1
  }
  # shellcheck disable=SC2034 # for the test files
  PORT=$(sed -n 's/^PORT //p' "$CASE_DIR/$name.out")
}

# start_registry: Debian's docker-registry on a free 127.0.0.1 port, storing under CASE_DIR.
# Sets REGISTRY (host:port); stopped with the case's other background processes.
start_registry() {
  local port
  port=$(free_port)
  REGISTRY="127.0.0.1:$port"
  mkdir -p "$CASE_DIR/registry"
  cat >"$CASE_DIR/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $CASE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
  docker-registry serve "$CASE_DIR/registry.yml" >"$CASE_DIR/registry.log" 2>&1 </dev/null &
  BACKGROUND_PIDS+=($!)
  wait_until 20 curl -fs --max-time 1 -o /dev/null "http://$REGISTRY/v2/"
}

# push_as SOURCE_IMAGE TARGET_REF: tags SOURCE as TARGET and pushes it to the test registry.
push_as() {
  "$DOCKER" tag "$1" "$2" && OWN_IMAGES+=("$2") && "$DOCKER" push "$2" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Assertions: each prints what it expected and what it got, marks the case failed, returns 1.

ASSERTIONS=0
CASE_FAILED=0
SKIP_REASON=""
SKIP_CI_REASON=""

fail_assertion() {
  CASE_FAILED=1
  echo "    FAILED: $*" >&2
}

assert_eq() {  # EXPECTED ACTUAL WHAT
  ASSERTIONS=$((ASSERTIONS + 1))
  [ "$1" == "$2" ] && return 0
  fail_assertion "$3: expected [$1], got [$2]"
  return 1
}

assert_ne() {  # UNEXPECTED ACTUAL WHAT
  ASSERTIONS=$((ASSERTIONS + 1))
  [ "$1" != "$2" ] && return 0
  fail_assertion "$3: expected something other than [$1]"
  return 1
}

assert_contains() {  # HAYSTACK NEEDLE WHAT
  ASSERTIONS=$((ASSERTIONS + 1))
  [[ "$1" == *"$2"* ]] && return 0
  fail_assertion "$3: expected to contain [$2], got [$1]"
  return 1
}

assert_not_contains() {  # HAYSTACK NEEDLE WHAT
  ASSERTIONS=$((ASSERTIONS + 1))
  [[ "$1" != *"$2"* ]] && return 0
  fail_assertion "$3: expected not to contain [$2], got [$1]"
  return 1
}

assert_match() {  # TEXT EXTENDED_REGEX WHAT (case-insensitive)
  ASSERTIONS=$((ASSERTIONS + 1))
  grep -Eiq -- "$2" <<<"$1" && return 0
  fail_assertion "$3: expected a line matching /$2/, got [$1]"
  return 1
}

assert_true() {  # WHAT COMMAND...
  local what=$1
  shift
  ASSERTIONS=$((ASSERTIONS + 1))
  "$@" && return 0
  fail_assertion "$what"
  return 1
}

assert_exit() {  # EXPECTED_CODE
  ASSERTIONS=$((ASSERTIONS + 1))
  [ "$RC" == "$1" ] && return 0
  fail_assertion "exit code of '$LAST_COMMAND': expected $1, got $RC"
  return 1
}

assert_running() {  # NAME
  ASSERTIONS=$((ASSERTIONS + 1))
  local state
  state=$(inspect "$1" '{{.State.Running}}')
  [ "$state" == true ] && return 0
  fail_assertion "container $1 should be running (State.Running=[${state:-no such container}])"
  return 1
}

assert_absent() {  # NAME
  ASSERTIONS=$((ASSERTIONS + 1))
  exists "$1" || return 0
  fail_assertion "container $1 should not exist"
  return 1
}

assert_kept() {  # ID NAME WHAT: container NAME is still the one with ID, and still running
  local kept=0
  assert_eq "$1" "$(cid "$2")" "$3" || kept=1
  assert_running "$2" || kept=1
  return $kept
}

# skip_case REASON [WHY_NOT_IN_CI]: the case cannot run here; counted and printed with REASON.
# Under CI=true a skip is a failure unless WHY_NOT_IN_CI says why the case cannot run on a CI
# machine either (CI installs everything a case needs, so "something is missing" is a failure).
skip_case() {
  SKIP_REASON=$1
  SKIP_CI_REASON=${2:-}
}

# ---------------------------------------------------------------------------------------------
# Runner

# Shows what the case's last dockerup run said, so a failure can be read without rerunning.
report_context() {
  [ -n "$LAST_COMMAND" ] || return 0
  echo "    last command: $LAST_COMMAND (exit $RC)" >&2
  [ -n "$OUT" ] && sed 's/^/    stdout: /' <<<"$OUT" | tail -n 20 >&2
  [ -n "$ERR" ] && sed 's/^/    stderr: /' <<<"$ERR" | tail -n 30 >&2
  return 0
}

# test_case NAME FUNCTION: runs FUNCTION with fresh state, counts it, removes its containers.
test_case() {
  local name=$1 function=$2 status
  begin_case
  ASSERTIONS=0
  CASE_FAILED=0
  SKIP_REASON=""
  SKIP_CI_REASON=""
  local started=$SECONDS
  "$function"
  status=$?
  stop_background
  if [ -n "$SKIP_REASON" ] && [ "${CI:-}" = true ] && [ -z "$SKIP_CI_REASON" ]; then
    FAILED=$((FAILED + 1))
    echo "FAIL $TEST_FILE: $name: skipped in CI ($SKIP_REASON), and the case gives no reason" \
      "why it cannot run there" >&2
  elif [ -n "$SKIP_REASON" ]; then
    SKIPPED=$((SKIPPED + 1))
    echo "skip $TEST_FILE: $name ($SKIP_REASON${SKIP_CI_REASON:+; in CI too: $SKIP_CI_REASON})"
  elif [ "$CASE_FAILED" = 0 ] && [ "$status" = 0 ] && [ "$ASSERTIONS" -gt 0 ]; then
    PASSED=$((PASSED + 1))
    echo "ok   $TEST_FILE: $name ($((SECONDS - started))s)"
  else
    FAILED=$((FAILED + 1))
    [ "$ASSERTIONS" -eq 0 ] && echo "    FAILED: the case asserted nothing" >&2
    [ "$CASE_FAILED" = 0 ] && [ "$status" != 0 ] && echo "    FAILED: returned $status" >&2
    echo "FAIL $TEST_FILE: $name" >&2
    report_context
  fi
  remove_own_containers
}

test_images_present() { "$DOCKER" image inspect "$IMAGE_V1" "$IMAGE_V2" >/dev/null 2>&1; }

# The test images live in the engine everyone on a development host shares, where a hand-run
# dockerup with gc on may collect them; the script is idempotent, so one file's missing image
# costs a rebuild instead of failing every file after it.
remake_test_images() {
  echo "$TEST_FILE: test images missing; running scripts/make-test-images.sh" >&2
  DOCKER_HOST="unix://$DOCKER_SOCKET" bash "$TOP/scripts/make-test-images.sh" >&2 && test_images_present
}

# Checks what every test file needs; counts one failure and ends the file when it is missing.
require_environment() {
  local problem=""
  if [ ! -x "$DOCKERUP" ]; then
    problem="dockerup binary not found at $DOCKERUP (run scripts/build.sh)"
  elif ! "$DOCKER" info >/dev/null 2>&1; then
    problem="dockerd does not answer (run scripts/ensure-dockerd.sh)"
  elif ! test_images_present && ! remake_test_images; then
    problem="test images missing and scripts/make-test-images.sh failed"
  fi
  [ -z "$problem" ] && return 0
  echo "FAIL $TEST_FILE: $problem" >&2
  FAILED=1
  finish
}

finish() {
  # run.sh sums the "skipped" lines; the last line stays the passed/failed summary.
  echo "integration: $SKIPPED skipped"
  echo "integration: $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit
}
