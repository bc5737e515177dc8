#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# The crash-loop guard: a container replaced a moment ago that already restarted more than
# crashloop_restarts times is rolled back to its previous image on the next run, and held there.
# The new image survives start_wait (it crashes after 2 s), so only the guard can catch it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry.sh
source "$(dirname "$0")/registry.sh"
require_environment

V1_ID=$(image_id "$IMAGE_V1")

restart_count() { inspect "$1" '{{.RestartCount}}'; }
restarted_enough() { [ "$(restart_count "$1")" -ge "$2" ] 2>/dev/null; }

test_crash_loop_is_rolled_back() {
  set_conf stop_timeout 1
  set_conf crashloop_restarts 3
  local web tag crashing
  web=$(cname web)
  tag="dockerup-test/$RUN_PREFIX-crash:live"
  crashing="dockerup-test/$RUN_PREFIX-crash:crashing"
  "$DOCKER" tag "$IMAGE_V1" "$tag" && OWN_IMAGES+=("$tag")
  write_spec web "{\"name\": \"$web\", \"image\": \"$tag\"}"
  run_dockerup
  assert_exit 0 || return
  assert_eq "$V1_ID" "$(container_image "$web")" "v1 runs first"

  assert_true "crashing image built" build_image "$crashing" "FROM $IMAGE_V2
CMD [\"sh\", \"-c\", \"sleep 2; exit 1\"]" || return
  "$DOCKER" tag "$crashing" "$tag"  # a new image under the same tag, pull off: local retag
  run_dockerup
  assert_exit 0  # up and never restarted after start_wait (1 s): the replacement is accepted
  assert_eq "$(image_id "$crashing")" "$(container_image "$web")" "the crashing image took over"

  assert_true "it restarted more than 3 times (on-failure policy)" \
    wait_until 45 restarted_enough "$web" 4 || return
  run_dockerup
  assert_contains "$ERR" "rolling it back" "the guard says what it does"
  assert_eq "$V1_ID" "$(container_image "$web")" "v1 is back"
  assert_running "$web"
  assert_true "no leftovers" no_leftovers "$web"
  assert_eq 1 "$(count_managed "$web")" "containers labelled as $web"

  local held
  held=$(cid "$web")
  run_dockerup
  assert_exit 0
  assert_eq "$held" "$(cid "$web")" "held on v1 while the tag still names the crashing image"
}

test_case "a crash-looping replacement is rolled back and held" test_crash_loop_is_rolled_back
finish
