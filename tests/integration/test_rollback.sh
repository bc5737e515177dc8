#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# `dockerup rollback NAME` against a real registry: after an update the previous image runs
# again, stays while the registry still serves the newer one (a hold), and a new image pushed
# under the tag releases the hold.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry.sh
source "$(dirname "$0")/registry.sh"
require_environment
require_registry_tools

IMAGE_V3="dockerup-test/$RUN_PREFIX-app:v3"

begin_rollback_case() {
  begin_web_case || return 1
  write_spec web "{\"name\": \"$WEB\", \"image\": \"$REF\",
                   \"portMappings\": [{\"containerPort\": 8080, \"hostIp\": \"127.0.0.1\"}]}"
}

page() { http_get "http://$(host_port "$WEB" 8080/tcp)/"; }

assert_runs() {  # IMAGE_ID PAGE WHAT
  assert_running "$WEB"
  assert_eq 1 "$(count_managed "$WEB")" "containers labelled as $WEB ($3)"
  assert_true "no leftovers of $WEB ($3)" no_leftovers "$WEB"
  assert_eq "$1" "$(container_image "$WEB")" "image ID $3"
  assert_eq "$2" "$(page)" "page $3"
}

test_rollback_holds_until_new_image() {
  begin_rollback_case || return
  assert_true "v3 image built" build_image "$IMAGE_V3" "FROM $IMAGE_V2
LABEL dockerup-test.app=v3
RUN echo 'app v3' > /www/index.html" || return
  assert_true "push v1" push_image "$IMAGE_V1" "$REF" || return
  run_dockerup --pull
  assert_exit 0 || return
  assert_true "push v2" push_image "$IMAGE_V2" "$REF" || return
  run_dockerup --pull
  assert_exit 0
  assert_runs "$V2_ID" "app v2" "after the update" || return

  run_dockerup rollback "$WEB"
  assert_exit 0
  assert_runs "$V1_ID" "app v1" "after the rollback"

  # The registry still serves v2 under the tag: the hold keeps v1.
  run_dockerup --pull
  assert_exit 0
  assert_runs "$V1_ID" "app v1" "on the run after the rollback (hold)"
  local held_id
  held_id=$(cid "$WEB")
  run_dockerup --pull
  assert_exit 0
  assert_eq "$held_id" "$(cid "$WEB")" "the held container is not replaced again"

  # A new image under the tag releases the hold.
  assert_true "push v3" push_image "$IMAGE_V3" "$REF" || return
  run_dockerup --pull
  assert_exit 0
  assert_runs "$(image_id "$IMAGE_V3")" "app v3" "after a new image was pushed"
  local v3_container
  v3_container=$(cid "$WEB")
  run_dockerup --pull
  assert_exit 0
  assert_eq "$v3_container" "$(cid "$WEB")" "v3 stays"
}

test_rollback_without_history_fails() {
  begin_rollback_case || return
  assert_true "push v1" push_image "$IMAGE_V1" "$REF" || return
  run_dockerup --pull
  assert_exit 0 || return
  local id
  id=$(cid "$WEB")
  run_dockerup rollback "$WEB"
  assert_exit 1
  assert_match "$ERR" "$WEB.*(no previous|nothing to roll back)|(no previous|nothing).*$WEB" \
    "the error names the container and says there is nothing to go back to"
  assert_eq "$id" "$(cid "$WEB")" "the container is untouched"
}

test_case "rollback restores the previous image and holds it until a new image" \
  test_rollback_holds_until_new_image
test_case "rollback without a previous version fails and changes nothing" \
  test_rollback_without_history_fails
finish
