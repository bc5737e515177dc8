#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# One dockerup per cache dir: a second one is refused and told who holds the lock.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

server_done_or_dead() {  # PID CONTAINER
  exists "$2" || ! kill -0 "$1" 2>/dev/null
}

test_second_instance_names_lock_holder() {
  local web
  web=$(cname web)
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V1\"}"
  start_dockerup_background --server --interval 60 --no-pull
  local server=$BACKGROUND_PID
  # The server has the lock at least until its first run is done and it sleeps. Stop waiting
  # early if it dies.
  wait_until 60 server_done_or_dead "$server" "$web"
  assert_true "the server launched $web within 60 s" exists "$web" || return
  assert_true "the server is still running" kill -0 "$server"
  run_dockerup --no-pull
  assert_ne 0 "$RC" "exit code while the lock is held"
  assert_contains "$ERR" "$server" "message names the process holding the lock"
  kill "$server"
  assert_true "the server exits on SIGTERM within 30 s" \
    wait_until 30 bash -c "! kill -0 $server 2>/dev/null"
  run_dockerup --no-pull
  assert_exit 0
}

test_case "second instance names the lock holder" test_second_instance_names_lock_holder
finish
