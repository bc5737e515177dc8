#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Operating dockerup: `dockerup status`, the --server loop's systemd notifications, metrics,
# signals, and a Docker engine restart under a running server (on a private dockerd).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

# A web server spec: ops_spec STEM [IMAGE]
ops_spec() {
  write_spec "$1" "{\"name\": \"$(cname "$1")\", \"image\": \"${2:-$IMAGE_V1}\", \"restart\": \"always\"}"
}

# json_field JSON PYTHON_EXPRESSION: evaluates the expression on the parsed JSON `d`.
json_field() {
  python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

# start_notify_listener: a datagram socket playing systemd; every datagram becomes one line of
# $NOTIFY_LOG (newlines inside it as "|"). Sets NOTIFY_SOCKET_PATH.
start_notify_listener() {
  NOTIFY_SOCKET_PATH="$CASE_DIR/notify.sock"
  NOTIFY_LOG="$CASE_DIR/notify.log"
  : >"$NOTIFY_LOG"
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode().replace("\n", "|") + "\n")
' "$NOTIFY_SOCKET_PATH" "$NOTIFY_LOG" &
  BACKGROUND_PIDS+=($!)
  wait_until 10 test -S "$NOTIFY_SOCKET_PATH"
}

notified() { grep -q -- "$1" "$NOTIFY_LOG"; }
background_log() { cat "$CASE_DIR/background.err"; }
log_has() { grep -q -- "$1" "$CASE_DIR/background.err"; }
dead() { ! kill -0 "$1" 2>/dev/null; }

# stop_server PID: SIGTERM; sets STOP_RC to the exit status (124: still running after 30 s).
# Not run in $(...): only this shell can `wait` for its child.
stop_server() {
  local pid=$1 i
  kill -TERM "$pid"
  for ((i = 0; i < 150; i++)); do
    dead "$pid" && break
    sleep 0.2
  done
  STOP_RC=124
  dead "$pid" || return 0
  wait "$pid"
  STOP_RC=$?
}

test_status_command() {
  local web
  web=$(cname web)
  run_dockerup status
  assert_exit 3
  assert_contains "$OUT" "UNKNOWN" "status before any run"

  ops_spec web
  run_dockerup --no-pull
  assert_exit 0
  run_dockerup status
  assert_exit 0
  assert_match "$OUT" "result ok, exit code 0" "status table header"
  assert_match "$OUT" "^NAME +IMAGE +IMAGE ID +STATE +LAST ACTION +(SOURCE +)?LAST ERROR" "table columns"
  assert_match "$OUT" "^$web +$IMAGE_V1 +[0-9a-f]{12} +running +create " "row of $web"

  run_dockerup status --json
  assert_exit 0
  assert_eq ok "$(json_field "$OUT" 'd["result"]')" "JSON result"
  assert_eq "$web running" "$(json_field "$OUT" 'd["containers"][0]["name"] + " " + d["containers"][0]["state"]')" "JSON container"
  assert_eq "$(inspect "$web" '{{.Image}}')" "$(json_field "$OUT" 'd["containers"][0]["image_id"]')" "JSON image ID"
  assert_eq "create ok" "$(json_field "$OUT" 'd["containers"][0]["last_action"] + " " + d["containers"][0]["last_action_result"]')" "JSON last action"
  local first_success
  first_success=$(json_field "$OUT" 'd["last_success"]')

  # An image that exists nowhere: the run fails, the status says so and keeps the last success.
  ops_spec bad "127.0.0.1:1/$RUN_PREFIX/no-such-image:1"  # refused at once, no network
  run_dockerup --no-pull
  assert_exit 1
  run_dockerup status
  assert_exit 1
  assert_match "$OUT" "result failed, exit code 1" "status after a failed run"
  assert_match "$OUT" "^$(cname bad) +.* missing " "row of the failed container"
  run_dockerup status --json
  assert_exit 1
  assert_ne "" "$(json_field "$OUT" '[c for c in d["containers"] if c["state"] == "missing"][0]["last_error"]')" "last_error of the failed container"
  assert_eq "$first_success" "$(json_field "$OUT" 'd["last_success"]')" "last success kept"
  assert_eq "create" "$(json_field "$OUT" "[c for c in d['containers'] if c['name'] == '$web'][0]['last_action']")" "last action kept from the earlier run"

  echo '{torn' >"$CACHE/status.json"
  run_dockerup status
  assert_exit 3
  assert_contains "$OUT" "status.json" "unreadable status names the file"
}

test_server_notifies_systemd_and_stops_on_sigterm() {
  local web
  web=$(cname web)
  ops_spec web
  start_notify_listener
  # WATCHDOG_USEC as systemd sets it for WatchdogSec=1: pings every half second.
  NOTIFY_SOCKET=$NOTIFY_SOCKET_PATH WATCHDOG_USEC=1000000 \
    start_dockerup_background --server --interval 2 --no-pull
  local server=$BACKGROUND_PID
  assert_true "READY=1 within 60 s" wait_until 60 notified "READY=1" || { background_log; return 1; }
  assert_running "$web"
  assert_true "a STATUS= line" notified "STATUS=last run ok"
  assert_true "a second run within 10 s (interval 2)" \
    wait_until 10 bash -c "[ \$(grep -c 'STATUS=' '$NOTIFY_LOG') -ge 2 ]"
  assert_eq 1 "$(grep -c 'READY=1' "$NOTIFY_LOG")" "READY=1 sent once"
  assert_true "WATCHDOG=1 pings while waiting between runs" \
    wait_until 10 bash -c "[ \$(grep -c 'WATCHDOG=1' '$NOTIFY_LOG') -ge 4 ]"
  stop_server "$server"
  assert_eq 0 "$STOP_RC" "exit status after SIGTERM"
  assert_true "STOPPING=1 before exiting" wait_until 5 notified "STOPPING=1"
  assert_running "$web"  # stopping dockerup never stops what it runs
  assert_eq 1 "$(count_managed "$web")" "one container for $web"
}

test_server_metrics_endpoint() {
  local web port
  web=$(cname web)
  ops_spec web
  port=$(free_port)
  start_dockerup_background --server --interval 2 --no-pull --metrics-listen "127.0.0.1:$port"
  local server=$BACKGROUND_PID
  local url="http://127.0.0.1:$port"
  metrics_show_ok_run() { http_get "$url/metrics" | grep -q '^dockerup_runs_total{result="ok"} [1-9]'; }
  assert_true "a successful run counted on /metrics within 60 s" wait_until 60 metrics_show_ok_run ||
    { background_log; return 1; }
  local metrics
  metrics=$(http_get "$url/metrics")
  assert_match "$metrics" '^dockerup_actions_total\{kind="create",result="ok"\} 1$' "create counted"
  assert_match "$metrics" '^dockerup_managed_containers\{state="running"\} [1-9]' "running containers"
  assert_match "$metrics" '^dockerup_run_duration_seconds [0-9.]+$' "run duration"
  assert_match "$metrics" '^dockerup_last_success_timestamp_seconds [0-9]{10}$' "last success time"
  assert_match "$metrics" '^dockerup_errors_total 0$' "no errors"
  assert_eq "200 ok" "$(curl -s --max-time 5 -o /dev/stdout -w ' %{http_code}' "$url/healthz" | tr -d '\n' | awk '{print $2, $1}')" "/healthz"
  assert_eq 404 "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$url/other")" "unknown path"
  stop_server "$server"
  assert_eq 0 "$STOP_RC" "exit status after SIGTERM"
  assert_ne 0 "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$url/metrics")" "endpoint closed after exit"
}

test_sighup_rereads_config_and_runs_at_once() {
  local web port
  web=$(cname web)
  ops_spec web
  start_dockerup_background --server --interval 3600 --no-pull
  local server=$BACKGROUND_PID
  assert_true "$web launched" wait_until 60 is_running "$web" || { background_log; return 1; }
  sleep 1  # let the loop reach its hour-long wait
  # Only a run starts a container stopped by hand (its restart policy does not), and only a
  # re-read config has the new setting. The confdir is not touched: its watch must not help.
  "$DOCKER" stop -t 1 "$web" >/dev/null
  port=$(free_port)
  set_conf metrics_listen "127.0.0.1:$port"
  kill -HUP "$server"
  assert_true "SIGHUP: the config is re-read" wait_until 30 log_has "SIGHUP: configuration re-read" ||
    { background_log; return 1; }
  assert_true "SIGHUP: $web started again at once (the interval is an hour)" \
    wait_until 30 is_running "$web" || { background_log; return 1; }
  metrics_answer() { http_get "http://127.0.0.1:$port/metrics" | grep -q '^dockerup_runs_total'; }
  assert_true "metrics_listen from the re-read config" wait_until 10 metrics_answer
  assert_true "still serving after SIGHUP" kill -0 "$server"
  stop_server "$server"
  assert_eq 0 "$STOP_RC" "exit status after SIGTERM"
}

# READY=1 after the first completed run even when it failed: one bad container file must not
# make systemd kill and restart a daemon that runs everything else.
test_server_ready_after_a_failed_first_run() {
  local web
  web=$(cname web)
  ops_spec web
  printf '{"name": "broken",' >"$CONFDIR/broken.json"
  start_notify_listener
  NOTIFY_SOCKET=$NOTIFY_SOCKET_PATH start_dockerup_background --server --interval 60 --no-pull
  local server=$BACKGROUND_PID
  assert_true "READY=1 within 60 s" wait_until 60 notified "READY=1" || { background_log; return 1; }
  assert_eq "STATUS=last run failed" "$(head -n 1 "$NOTIFY_LOG" | cut -c1-22)" \
    "the first run failed, and said so before READY=1"
  assert_eq "READY=1" "$(sed -n 2p "$NOTIFY_LOG")" "READY=1 right after it"
  assert_running "$web"
  assert_true "the server keeps running" kill -0 "$server"
  stop_server "$server"
  assert_eq 0 "$STOP_RC" "exit status after SIGTERM"
}

# A dockerd restart under a running server, on a private, disposable dockerd
# (scripts/private-dockerd.sh: its own socket, data-root, exec-root, containerd and network
# namespace), so it runs everywhere and the host's shared dockerd is never stopped.
PRIVATE_ENGINE=""
trap '[ -n "$PRIVATE_ENGINE" ] && bash "$TOP/scripts/private-dockerd.sh" destroy "$PRIVATE_ENGINE" >/dev/null 2>&1; cleanup_run' EXIT

test_engine_restart_under_server() {
  local name="duo$$" env socket
  if ! env=$(bash "$TOP/scripts/private-dockerd.sh" start "$name" 2>"$CASE_DIR/engine.err"); then
    skip_case "no private dockerd can start here: $(tail -n 1 "$CASE_DIR/engine.err")"
    return 0
  fi
  PRIVATE_ENGINE=$name
  socket=$(sed -n 's|^DOCKER_HOST=unix://||p' <<<"$env")
  pdocker() { DOCKER_HOST="unix://$socket" "$DOCKER" "$@"; }
  pdocker_answers() { timeout 10 env DOCKER_HOST="unix://$socket" "$DOCKER" info >/dev/null 2>&1; }
  both_running() {
    [ "$(pdocker inspect -f '{{.State.Running}}' "$web" "$data" 2>/dev/null | sort -u)" = true ]
  }
  "$DOCKER" save "$IMAGE_V1" | pdocker load >/dev/null ||
    { fail_assertion "cannot load $IMAGE_V1 into the private dockerd"; return 1; }
  local web data
  web=$(cname web)
  data=$(cname data)
  ops_spec web
  write_spec data "{\"name\": \"$data\", \"image\": \"$IMAGE_V1\", \"command\": \"sleep 3600\"}"
  set_conf remote "unix://$socket"
  start_dockerup_background --server --interval 2 --no-pull
  local server=$BACKGROUND_PID
  assert_true "$web and $data launched" wait_until 60 both_running || { background_log; return 1; }

  bash "$TOP/scripts/private-dockerd.sh" stop "$name" >/dev/null 2>&1
  assert_true "dockerd stopped" bash -c "! timeout 5 env DOCKER_HOST=unix://$socket $DOCKER info >/dev/null 2>&1"
  assert_true "the server says the engine is unreachable" wait_until 30 log_has "docker engine unreachable" ||
    background_log
  sleep 6  # several retries while the engine is down
  assert_true "the server keeps running while the engine is down" kill -0 "$server"
  bash "$TOP/scripts/private-dockerd.sh" start "$name" >/dev/null 2>"$CASE_DIR/engine.err"
  assert_true "dockerd answers again" pdocker_answers || return 1
  assert_true "the server says the engine is back" wait_until 60 log_has "docker engine is back" ||
    background_log
  assert_true "$web and $data run again" wait_until 60 both_running
  sleep 3  # one more run after recovery: it must change nothing
  assert_eq 1 "$(pdocker ps -a -q --filter "label=io.dockerup.name=$web" | wc -l)" \
    "containers for $web (none lost, none duplicated)"
  assert_eq 1 "$(pdocker ps -a -q --filter "label=io.dockerup.name=$data" | wc -l)" \
    "containers for $data"
  assert_eq 1 "$(grep -c 'docker engine unreachable' "$CASE_DIR/background.err")" \
    "the outage is logged once, not once per try"
  stop_server "$server"
  assert_eq 0 "$STOP_RC" "exit status after SIGTERM"
}

test_case "status: table, JSON and exit codes" test_status_command
test_case "server: READY=1, STATUS=, STOPPING=1 and SIGTERM exits 0" test_server_notifies_systemd_and_stops_on_sigterm
test_case "server: Prometheus metrics and /healthz" test_server_metrics_endpoint
test_case "server: SIGHUP re-reads the config and reconciles at once" test_sighup_rereads_config_and_runs_at_once
test_case "server: READY=1 after a failed first run" test_server_ready_after_a_failed_first_run
test_case "server: dockerd restart loses and duplicates nothing (private dockerd)" \
  test_engine_restart_under_server
finish
