#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2119 # functions are called through test_case; run_dockerup takes optional arguments
# Faults around dockerup, against the real engine: the cache on a full or read-only file system,
# the registry dying in the middle of a pull, an engine that does not answer, and a dockerd
# restarted in the middle of an update (on a private, disposable dockerd: never the host's).
# What must hold: the --server loop never dies, what can be reconciled is, a running container
# is never lost or duplicated, and every failure is said.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry_proxy.sh
source "$(dirname "$0")/registry_proxy.sh"
require_environment

MOUNTS=()       # tmpfs mounts this file made; unmounted at exit
PRIVATE_ENGINE=""  # name of the private dockerd this file started; destroyed at exit

cleanup_faults() {
  local mount
  for mount in "${MOUNTS[@]}"; do umount -l "$mount" 2>/dev/null; done
  if [ -n "$PRIVATE_ENGINE" ]; then
    bash "$TOP/scripts/private-dockerd.sh" destroy "$PRIVATE_ENGINE" >/dev/null 2>&1
  fi
  cleanup_run
}
trap cleanup_faults EXIT

background_log() { cat "$CASE_DIR/background.err"; }
log_has() { grep -Eq -- "$1" "$CASE_DIR/background.err"; }
alive() { kill -0 "$1" 2>/dev/null; }

simple_spec() {  # STEM [IMAGE]
  write_spec "$1" "{\"name\": \"$(cname "$1")\", \"image\": \"${2:-$IMAGE_V1}\", \"restart\": \"always\"}"
}

# mount_tmpfs DIR SIZE: a tmpfs of SIZE on DIR (root only); false when it cannot be mounted.
mount_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2>/dev/null || return 1
  MOUNTS+=("$1")
}

# The server, on this case's config, every second, with metrics on a free loopback port
# (METRICS is their URL).
start_server() {
  local port
  port=$(free_port)
  METRICS="http://127.0.0.1:$port/metrics"
  start_dockerup_background --server --interval 1 --no-pull --metrics-listen "127.0.0.1:$port"
  SERVER=$BACKGROUND_PID
}

# metrics_show REGEX: a line of the server's /metrics matches.
metrics_show() { http_get "$METRICS" | grep -Eq -- "$1"; }

# Both phases of a cache fault: the server brings up what is declared at start, and still
# reacts to a new container file later; it is alive throughout. Each cache file it cannot write
# is an error of the run: in the log, and in the metrics by phase (status.json itself cannot
# say it).
server_keeps_reconciling() {  # WHAT_THE_LOG_MUST_SAY
  local web web2 phase
  web=$(cname web)
  web2=$(cname web2)
  simple_spec web
  start_server
  assert_true "$web launched despite the cache" wait_until 60 is_running "$web" ||
    { background_log; return 1; }
  assert_true "the cache failure is said" wait_until 30 log_has "$1" || background_log
  assert_true "the log names status.json and why" \
    wait_until 30 log_has "cache \(status\): cannot write $CACHE/status.json: .*$1" || background_log
  assert_true "the log names the last-known-good copy" \
    wait_until 30 log_has "cache \(sources\): cannot write $CACHE/last-known-good/containers.d/web.json" ||
    background_log
  for phase in sources history status; do
    assert_true "metrics count the $phase cache failures" \
      wait_until 30 metrics_show "^dockerup_cache_errors_total\{phase=\"$phase\"\} [1-9]" ||
      http_get "$METRICS"
  done
  assert_true "such runs count as failed" \
    metrics_show '^dockerup_runs_total\{result="failed"\} [1-9]'
  simple_spec web2
  assert_true "a container declared later is launched too" wait_until 60 is_running "$web2" ||
    background_log
  assert_true "the server is still running" alive "$SERVER"
  assert_running "$web"
  assert_eq 1 "$(count_managed "$web")" "containers for $web (no duplicate)"
}

test_cache_on_full_tmpfs() {
  if ! mount_tmpfs "$CACHE" 256k; then
    skip_case "cannot mount a tmpfs (needs root)"
    return 0
  fi
  # Fill it: every write dockerup makes there fails with ENOSPC.
  dd if=/dev/zero of="$CACHE/filler" bs=4k count=1000 >/dev/null 2>&1
  server_keeps_reconciling "No space left on device"
}

test_cache_on_read_only_mount() {
  if ! mount_tmpfs "$CACHE" 1m; then
    skip_case "cannot mount a tmpfs (needs root)"
    return 0
  fi
  mount -o remount,ro "$CACHE" || { fail_assertion "cannot remount $CACHE read-only"; return 1; }
  server_keeps_reconciling "Read-only file system"
}

# One run (no --server) on a full cache: every cache file it cannot write is an error naming the
# file and the reason, the run exits 1, and its container runs all the same. With room again
# the next run is clean and `dockerup status` answers.
test_one_run_on_full_cache() {
  if ! mount_tmpfs "$CACHE" 256k; then
    skip_case "cannot mount a tmpfs (needs root)"
    return 0
  fi
  dd if=/dev/zero of="$CACHE/filler" bs=4k count=1000 >/dev/null 2>&1
  local web
  web=$(cname web)
  simple_spec web
  run_dockerup --no-pull
  assert_exit 1
  assert_running "$web"
  assert_match "$ERR" "cache \(sources\): cannot write $CACHE/last-known-good/containers.d/web.json: .*No space left on device" \
    "the last-known-good copy that was not written"
  assert_match "$ERR" "cache \(history\): cannot write $CACHE/history/$web.json: .*No space left on device" \
    "the history that was not written"
  assert_match "$ERR" "cache \(gc\): cannot write $CACHE/images.json: .*No space left on device" \
    "the image ledger that was not written"
  assert_match "$ERR" "cache \(status\): cannot write $CACHE/status.json: .*No space left on device" \
    "the status file that was not written"
  assert_eq 1 "$(grep -c "cache (status)" <<<"$ERR")" "the status failure is said once"

  rm -f "$CACHE/filler"
  run_dockerup --no-pull
  assert_exit 0
  assert_eq "" "$(grep "cache (" <<<"$ERR")" "no cache error once there is room"
  run_dockerup status
  assert_exit 0
  assert_match "$OUT" "$web" "dockerup status shows the container again"
  assert_running "$web"
  assert_eq 1 "$(count_managed "$web")" "containers for $web (no duplicate)"
}

test_registry_dies_during_pull() {
  start_registry || { fail_assertion "the test registry did not start"; return 1; }
  local port web ref old_id
  port=$(free_port)
  start_registry_proxy "$port" pass || { fail_assertion "registry proxy did not start"; return 1; }
  web=$(cname web)
  ref="127.0.0.1:$port/$RUN_PREFIX/app:latest"
  push_as "$IMAGE_V1" "$ref" || { fail_assertion "push of $ref failed"; return 1; }
  simple_spec web "$ref"
  set_conf pull true
  run_dockerup
  assert_exit 0
  assert_running "$web"
  old_id=$(cid "$web")

  push_unique_image "$ref" || { fail_assertion "push of a new $ref failed"; return 1; }
  kill "$PROXY_PID"
  wait "$PROXY_PID" 2>/dev/null
  start_registry_proxy "$port" die-on-blob || { fail_assertion "proxy did not restart"; return 1; }
  run_dockerup
  assert_exit 1
  assert_true "the proxy died in the middle of the pull" grep -q "dying at" "$CASE_DIR/proxy.log"
  assert_match "$ERR" "pull|check .* for a new image" "the failed pull is reported"
  assert_eq "$old_id" "$(cid "$web")" "the old container is kept"
  assert_running "$web"

  start_registry_proxy "$port" pass || { fail_assertion "registry is not back"; return 1; }
  run_dockerup
  assert_exit 0
  assert_ne "$old_id" "$(cid "$web")" "the next run pulled and replaced"
  assert_running "$web"
  assert_eq 1 "$(count_managed "$web")" "containers for $web"
  OWN_IMAGES+=("$ref")
}

# A proxy on a Unix socket in front of dockerd that never answers: each request is read and
# held. dockerup's API timeouts must end the run, and say so.
start_silent_engine() {  # SOCKET
  python3 - "$1" >"$CASE_DIR/silent.log" 2>&1 <<'PY' &
import socket, sys, threading, time
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(64)
held = []
def hold(conn):
    conn.recv(65536)  # the request; the answer never comes
    held.append(conn)
while True:
    conn, _ = server.accept()
    threading.Thread(target=hold, args=(conn,), daemon=True).start()
PY
  BACKGROUND_PIDS+=($!)
  wait_until 10 test -S "$1"
}

test_engine_that_does_not_answer() {
  local socket="$CASE_DIR/slow.sock" web started took
  web=$(cname web)
  start_silent_engine "$socket" || { fail_assertion "the silent engine did not start"; return 1; }
  simple_spec web
  set_conf remote "unix://$socket"
  started=$SECONDS
  run_dockerup
  took=$((SECONDS - started))
  assert_exit 1
  assert_match "$ERR" "timed out|timeout" "the run says it timed out"
  assert_match "$ERR" "nothing was changed" "and that it changed nothing"
  assert_true "the run ended on its own (took ${took}s, limit $DOCKERUP_TIMEOUT s)" \
    test "$took" -lt "$DOCKERUP_TIMEOUT"
  assert_absent "$web"
}

# dockerd is restarted while dockerup replaces a container, and comes back: the next run
# ends with exactly one container for the name, running the new image. On a private dockerd:
# the host's is shared and must never be stopped.
test_engine_restart_during_update() {
  local name="dut$$" env socket web run_pid i
  if ! command -v nsenter >/dev/null || [ ! -f "$TOP/scripts/private-dockerd.sh" ]; then
    skip_case "scripts/private-dockerd.sh or nsenter missing"
    return 0
  fi
  if ! env=$(bash "$TOP/scripts/private-dockerd.sh" start "$name" 2>"$CASE_DIR/engine.err"); then
    skip_case "no private dockerd can start here: $(tail -n 1 "$CASE_DIR/engine.err")"
    return 0
  fi
  PRIVATE_ENGINE=$name
  socket=$(sed -n 's|^DOCKER_HOST=unix://||p' <<<"$env")
  local private=(env DOCKER_HOST="unix://$socket" "$DOCKER")
  "$DOCKER" save "$IMAGE_V1" "$IMAGE_V2" | "${private[@]}" load >/dev/null ||
    { fail_assertion "cannot load the test images into the private dockerd"; return 1; }

  web=$(cname web)
  # sleep as PID 1 ignores SIGTERM: each stop takes stop_timeout, a window to kill dockerd in.
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V1\", \"command\": \"sleep 3600\"}"
  set_conf remote "unix://$socket"
  set_conf stop_timeout 20
  run_dockerup
  assert_exit 0
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V2\", \"command\": \"sleep 3600\"}"
  run_dockerup_async
  run_pid=$!
  assert_true "the update started" wait_until 60 grep -q "replace .*$web\|$web.*replace" \
    "$CASE_DIR/async.err" || cat "$CASE_DIR/async.err"
  # What `systemctl restart docker` does: SIGTERM (dockerd stops its containers), then a start.
  bash "$TOP/scripts/private-dockerd.sh" stop "$name" >/dev/null 2>&1
  bash "$TOP/scripts/private-dockerd.sh" start "$name" >/dev/null 2>"$CASE_DIR/engine.err" ||
    { fail_assertion "the private dockerd did not come back: $(tail -n 3 "$CASE_DIR/engine.err")"; return 1; }
  for ((i = 0; i < 300; i++)); do
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.2
  done
  wait "$run_pid"
  assert_ne 0 "$?" "the interrupted run fails"

  run_dockerup
  assert_exit 0
  local all
  all=$("${private[@]}" ps -a --filter "label=io.dockerup.name=$web" --format '{{.Names}} {{.Image}} {{.State}}')
  assert_eq "$web $IMAGE_V2 running" "$all" "exactly one container for $web, new image, running"
}

# Like start_dockerup_background, but a single run (no --server), output in async.out/err.
run_dockerup_async() {
  "$DOCKERUP" --config "$CONF" --confdir "$CONFDIR" --cache "$CACHE" \
    >"$CASE_DIR/async.out" 2>"$CASE_DIR/async.err" </dev/null &
}

test_case "cache on a full tmpfs: the server keeps reconciling" test_cache_on_full_tmpfs
test_case "cache on a read-only mount: the server keeps reconciling" test_cache_on_read_only_mount
test_case "one run on a full cache: exit 1, each unwritten file said once, the container runs" \
  test_one_run_on_full_cache
test_case "registry dies in the middle of a pull: the old container stays, the next run pulls" \
  test_registry_dies_during_pull
test_case "engine that never answers: the run times out and says so" test_engine_that_does_not_answer
test_case "dockerd restarted during an update: no duplicate, no lost container" \
  test_engine_restart_during_update
finish
