#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# What users never forgive: an error path that stops or removes a container that should keep
# running. Each case breaks something on purpose and checks the running container survived.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

web_spec() {  # NAME HOST_PORT [EXTRA_JSON_MEMBERS]
  echo "{\"name\": \"$1\", \"image\": \"$IMAGE_V1\",
         \"portMappings\": [{\"containerPort\": 8080, \"hostPort\": $2, \"hostIp\": \"127.0.0.1\"}]${3:+, $3}}"
}

test_failed_replacement_keeps_old_container() {
  local web blocker port taken
  web=$(cname web)
  blocker=$(cname blocker)
  port=$(free_port)
  write_spec web "$(web_spec "$web" "$port")"
  first_run "$web" --no-pull || return

  # The new spec wants a port that a container started by hand already holds.
  taken=$(free_port)
  run_by_hand "$blocker" -p "127.0.0.1:$taken:8080" "$IMAGE_V1"
  write_spec web "$(web_spec "$web" "$taken" '"env": {"NEW": "1"}')"
  run_dockerup --no-pull
  assert_exit 1
  assert_contains "$ERR" "$web" "error names the container"
  assert_kept "$FIRST_ID" "$web" "the old container is back under its name"
  assert_eq "app v1" "$(http_get "http://127.0.0.1:$port/")" "the old container still serves"
  assert_eq 1 "$(count_managed "$web")" "no leftover replacement"
  assert_running "$blocker"
}

test_replacement_that_dies_keeps_old_container() {
  local web port
  web=$(cname web)
  port=$(free_port)
  write_spec web "$(web_spec "$web" "$port")"
  first_run "$web" --no-pull || return

  # The new container starts, then exits at once: it never proves itself within start_wait.
  write_spec web "$(web_spec "$web" "$port" '"command": "false", "restart": "never"')"
  run_dockerup --no-pull
  assert_exit 1
  assert_kept "$FIRST_ID" "$web" "the old container is back under its name"
  assert_eq "app v1" "$(http_get "http://127.0.0.1:$port/")" "the old container still serves"
  assert_eq 1 "$(count_managed "$web")" "no leftover replacement"
}

test_missing_confdir_removes_nothing() {
  local web
  web=$(cname web)
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V1\"}"
  first_run "$web" --no-pull || return
  mv "$CONFDIR" "$CONFDIR.away"
  run_dockerup --no-pull
  assert_ne 0 "$RC" "exit code without the confdir"
  assert_contains "$ERR" "$CONFDIR" "error names the confdir"
  assert_kept "$FIRST_ID" "$web" "container kept while its confdir is missing"
}

test_unreadable_file_removes_nothing() {
  local web
  web=$(cname web)
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V1\"}"
  first_run "$web" --no-pull || return
  chmod 666 "$(spec_path web)"  # refused under strict_modes: as good as unreadable
  run_dockerup --no-pull
  assert_exit 1
  assert_contains "$ERR" "$(spec_path web)" "error names the file"
  assert_kept "$FIRST_ID" "$web" "container kept while its file is refused"
}

test_docker_unreachable_exits_nonzero() {
  write_spec web "{\"name\": \"$(cname web)\", \"image\": \"$IMAGE_V1\"}"
  set_conf remote "unix://$CASE_DIR/no-such.sock"
  run_dockerup --no-pull
  assert_exit 1
  assert_contains "$ERR" "no-such.sock" "error names the socket"
  assert_absent "$(cname web)"
}

test_case "failed replacement keeps the old container" test_failed_replacement_keeps_old_container
test_case "replacement that dies keeps the old container" test_replacement_that_dies_keeps_old_container
test_case "missing confdir removes nothing" test_missing_confdir_removes_nothing
test_case "refused file removes nothing" test_unreadable_file_removes_nothing
test_case "unreachable Docker exits 1" test_docker_unreachable_exits_nonzero
finish
