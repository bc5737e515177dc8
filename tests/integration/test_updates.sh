#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Updates against a real registry (Debian's docker-registry on 127.0.0.1): a new image under the
# same tag replaces the container; update.pull false keeps it; eager starts the new container
# before it stops the old one (proven from `docker events`) and falls back to stop-first with a
# fixed hostPort; a new image that fails brings the old one back (default and eager); a stopped
# registry changes nothing; kill -9 between two eager steps is repaired by the next run.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry.sh
source "$(dirname "$0")/registry.sh"
require_environment
require_registry_tools

FAILING_IMAGE="dockerup-test/$RUN_PREFIX-failing:at-once"
FAILING_LATER_IMAGE="dockerup-test/$RUN_PREFIX-failing:later"

# web_spec [EXTRA_JSON_MEMBERS]: the spec of WEB running REF.
web_spec() {
  write_spec web "{\"name\": \"$WEB\", \"image\": \"$REF\"${1:+, $1}}"
}

# Pushes v1, runs once and checks that v1 runs; sets OLD_ID.
start_with_v1() {
  assert_true "push v1" push_image "$IMAGE_V1" "$REF" || return 1
  run_dockerup --pull
  assert_exit 0 || return 1
  assert_running "$WEB" || return 1
  assert_eq "$V1_ID" "$(container_image "$WEB")" "image of the first container" || return 1
  OLD_ID=$(cid "$WEB")
}

# update_to_v2 WHAT: pushes v2 under REF, runs, and checks that one new container for WEB runs
# v2 (WHAT names the update in the messages). Sets NEW_ID, and SINCE to the time before the run
# (for container_events).
update_to_v2() {
  assert_true "push v2 under the same tag" push_image "$IMAGE_V2" "$REF" || return 1
  SINCE=$(date +%s)
  run_dockerup --pull
  assert_exit 0
  NEW_ID=$(cid "$WEB")
  assert_ne "$OLD_ID" "$NEW_ID" "container ID after the $1"
  assert_single_running "$V2_ID" "image ID after the $1"
}

# Exactly one container for WEB, no temporary ones, running IMAGE.
assert_single_running() {  # IMAGE_ID WHAT
  assert_eq 1 "$(count_named "$WEB")" "containers named $WEB or its temporary names"
  assert_eq 1 "$(count_managed "$WEB")" "containers labelled as $WEB"
  assert_true "no .dockerup-new/.dockerup-old leftovers of $WEB" no_leftovers "$WEB"
  assert_running "$WEB"
  assert_eq "$1" "$(container_image "$WEB")" "$2"
}

test_new_image_replaces_container() {
  begin_web_case || return
  web_spec
  start_with_v1 || return
  update_to_v2 update || return
  # The log says which image moved from which ID to which.
  assert_contains "$ERR$OUT" "$REF" "log names the image"
  local old_short=${V1_ID#sha256:} new_short=${V2_ID#sha256:}
  assert_match "$ERR$OUT" "${old_short:0:12}.*${new_short:0:12}" "log names the old and new image IDs"

  run_dockerup --pull
  assert_exit 0
  assert_eq "$NEW_ID" "$(cid "$WEB")" "a second run with nothing new keeps the container"
}

test_update_pull_false_keeps_container() {
  begin_web_case || return
  web_spec '"update": {"pull": false}'
  # The first run must still pull: the image is missing locally (only the registry has it).
  start_with_v1 || return
  assert_true "push v2 under the same tag" push_image "$IMAGE_V2" "$REF" || return
  run_dockerup --pull
  assert_exit 0
  assert_eq "$OLD_ID" "$(cid "$WEB")" "container ID with update.pull false"
  assert_eq "$V1_ID" "$(image_id "$REF")" "local tag not pulled with update.pull false"
  assert_single_running "$V1_ID" "image ID with update.pull false"
}

test_eager_starts_new_before_stopping_old() {
  begin_web_case || return
  web_spec '"update": {"eager": true},
            "portMappings": [{"containerPort": 8080, "hostIp": "127.0.0.1"}]'
  start_with_v1 || return
  update_to_v2 "eager update" || return
  assert_eq "app v2" "$(http_get "http://$(host_port "$WEB" 8080/tcp)/")" "page after the update"

  local events new_start old_stop
  events=$(container_events "$WEB" "$SINCE")
  new_start=$(first_event_line "$events" "$NEW_ID" start)
  old_stop=$(first_event_line "$events" "$OLD_ID" kill die stop)
  assert_true "the new container started (events: $events)" test "$new_start" -lt 999999
  assert_true "the old container was stopped (events: $events)" test "$old_stop" -lt 999999
  assert_true "new start (event $new_start) before old stop (event $old_stop): $events" \
    test "$new_start" -lt "$old_stop"
  assert_contains "$events" "destroy $OLD_ID" "the old container was removed"
}

test_eager_with_fixed_host_port_stops_first() {
  begin_web_case || return
  local port
  port=$(free_port)
  web_spec "\"update\": {\"eager\": true},
            \"portMappings\": [{\"containerPort\": 8080, \"hostPort\": $port, \"hostIp\": \"127.0.0.1\"}]"
  start_with_v1 || return
  assert_eq "app v1" "$(http_get "http://127.0.0.1:$port/")" "page of v1 on the fixed port"
  update_to_v2 update || return
  assert_eq "app v2" "$(http_get "http://127.0.0.1:$port/")" "page of v2 on the fixed port"
  assert_match "$ERR$OUT" "eager.*(hostPort|host port)" "log says why eager was not possible"

  local events new_start old_stop
  events=$(container_events "$WEB" "$SINCE")
  new_start=$(first_event_line "$events" "$NEW_ID" start)
  old_stop=$(first_event_line "$events" "$OLD_ID" die)
  assert_true "old stopped (event $old_stop) before new start (event $new_start): $events" \
    test "$old_stop" -lt "$new_start"
}

# A new container that crash-loops under the default restart policy (on-failure) may be "running"
# between two crashes when dockerup looks; the executor therefore also requires a restart count
# of 0 (src/run/executor.cpp, prove_running). These cases failed before that check existed.
# push_failing_image [later]: a new image under the tag whose command exits 1, at once or after
# half a second. With the default restart policy (on-failure) Docker restarts it again and again,
# so at the moment dockerup looks it may be "running" between two crashes.
push_failing_image() {
  local image=$FAILING_IMAGE command="exit 1"
  if [ "${1:-}" = later ]; then
    image=$FAILING_LATER_IMAGE
    command="sleep 0.5; exit 1"
  fi
  build_image "$image" "FROM $IMAGE_V2
CMD [\"sh\", \"-c\", \"$command\"]" || return 1
  push_image "$image" "$REF"
}

# After a failed replacement: the original container, running v1, alone; the error names WEB.
assert_old_one_kept() {
  assert_exit 1
  assert_match "$ERR" "$WEB" "the error names the container"
  assert_eq "$OLD_ID" "$(cid "$WEB")" "the previous container holds the name again"
  assert_single_running "$V1_ID" "image ID after the failed update"
  assert_eq "app v1" "$(http_get "http://$(host_port "$WEB" 8080/tcp)/")" "page after the failure"
}

# failing_default [later]
failing_default() {
  begin_web_case || return
  web_spec '"portMappings": [{"containerPort": 8080, "hostIp": "127.0.0.1"}]'
  start_with_v1 || return
  assert_true "push a failing image under the same tag" push_failing_image "$@" || return
  run_dockerup --pull
  assert_old_one_kept
}
test_failing_new_image_restores_old_default() { failing_default; }
test_crashing_new_image_restores_old_default() { failing_default later; }

# failing_eager [later]
failing_eager() {
  begin_web_case || return
  web_spec '"update": {"eager": true},
            "portMappings": [{"containerPort": 8080, "hostIp": "127.0.0.1"}]'
  start_with_v1 || return
  assert_true "push a failing image under the same tag" push_failing_image "$@" || return
  local since events
  since=$(date +%s)
  run_dockerup --pull
  assert_old_one_kept
  events=$(container_events "$WEB" "$since")
  assert_eq 999999 "$(first_event_line "$events" "$OLD_ID" kill die stop)" \
    "eager never stopped the old container (events: $events)"
}
test_failing_new_image_keeps_old_eager() { failing_eager; }
test_crashing_new_image_keeps_old_eager() { failing_eager later; }

test_stopped_registry_changes_nothing() {
  begin_web_case || return
  web_spec
  start_with_v1 || return
  assert_true "push v2 under the same tag" push_image "$IMAGE_V2" "$REF" || return
  assert_true "registry stopped" registry_stop || return
  run_dockerup --pull
  # Whether a failed freshness check is an error (1) or a warning (0) is policy; what matters is
  # that it names the image and that the container is left exactly as it was.
  assert_true "exit code 0 or 1, got $RC" test "$RC" -le 1
  assert_contains "$ERR" "$REF" "message names the image"
  assert_eq "$OLD_ID" "$(cid "$WEB")" "container ID while the registry is down"
  assert_single_running "$V1_ID" "image ID while the registry is down"

  assert_true "registry back on the same port" registry_start || return
  run_dockerup --pull
  assert_exit 0
  assert_ne "$OLD_ID" "$(cid "$WEB")" "the next run with the registry back updates"
  assert_single_running "$V2_ID" "image ID once the registry is back"
}

new_copy_running() { [ "$(inspect "$WEB.dockerup-new" '{{.State.Running}}')" = true ]; }

test_kill_between_eager_steps_is_repaired() {
  begin_web_case || return
  web_spec '"update": {"eager": true}'
  start_with_v1 || return
  assert_true "push v2 under the same tag" push_image "$IMAGE_V2" "$REF" || return
  # start_wait=5: dockerup sleeps after starting the new container; it is killed in that sleep.
  set_conf start_wait 5
  start_dockerup_background --pull
  assert_true "the new container runs under its temporary name" wait_until 30 new_copy_running ||
    return
  kill -9 "$BACKGROUND_PID"
  wait "$BACKGROUND_PID" 2>/dev/null
  # Killed between the steps: both copies exist now.
  assert_running "$WEB"
  assert_true "the temporary copy survived the kill" exists "$WEB.dockerup-new"
  assert_eq "$OLD_ID" "$(cid "$WEB")" "the old container still holds the name after kill -9"

  set_conf start_wait 1
  run_dockerup --pull
  assert_exit 0
  assert_single_running "$V2_ID" "image ID after the repair"
  assert_eq 0 "$("$DOCKER" ps -q --filter "label=io.dockerup.name=$WEB" --filter status=exited |
    wc -l)" "stopped copies of $WEB"
}

test_case "new image under the same tag replaces the container" test_new_image_replaces_container
test_case "update.pull false keeps the container" test_update_pull_false_keeps_container
test_case "eager starts the new container before stopping the old" \
  test_eager_starts_new_before_stopping_old
test_case "eager with a fixed hostPort falls back to stop-first" \
  test_eager_with_fixed_host_port_stops_first
test_case "failing new image: default restores the old container" \
  test_failing_new_image_restores_old_default
test_case "failing new image: eager keeps the old container" \
  test_failing_new_image_keeps_old_eager
test_case "new image crashing after 0.5 s: default restores the old" \
  test_crashing_new_image_restores_old_default
test_case "new image crashing after 0.5 s: eager keeps the old" \
  test_crashing_new_image_keeps_old_eager
test_case "stopped registry changes nothing; the next run updates" \
  test_stopped_registry_changes_nothing
test_case "kill -9 between eager steps is repaired by the next run" \
  test_kill_between_eager_steps_is_repaired
finish
