#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Rolling updates against a real registry: rolling specs are replaced one at a time, each new
# container must pass its HEALTHCHECK (or stay up rolling_wait seconds without one) before the
# next starts; a new container that fails is rolled back and the remaining ones are left alone.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry.sh
source "$(dirname "$0")/registry.sh"
require_environment
require_registry_tools

# Images with a HEALTHCHECK: "good" ones create /healthy, the "bad" one never does. sleep as PID 1
# ignores SIGTERM, hence stop_timeout=1 below.
HEALTH_GOOD_V1="dockerup-test/$RUN_PREFIX-health:good1"
HEALTH_GOOD_V2="dockerup-test/$RUN_PREFIX-health:good2"
HEALTH_BAD="dockerup-test/$RUN_PREFIX-health:bad"

build_health_image() {  # TAG VERSION CMD_JSON
  build_image "$1" "FROM $BASE_IMAGE
LABEL dockerup-test.health=$2
HEALTHCHECK --interval=1s --timeout=2s --retries=1 CMD test -f /healthy
CMD $3"
}

build_health_images() {
  build_health_image "$HEALTH_GOOD_V1" good1 '["sh", "-c", "touch /healthy; exec sleep 3600"]' &&
    build_health_image "$HEALTH_GOOD_V2" good2 '["sh", "-c", "touch /healthy; exec sleep 3600"]' &&
    build_health_image "$HEALTH_BAD" bad '["sleep", "3600"]'
}

begin_rolling_case() {
  set_conf stop_timeout 1
  assert_true "registry answers on 127.0.0.1" registry_start
}

# rolling_spec SHORT: a rolling spec named cname(SHORT) for REGISTRY/RUN_PREFIX/SHORT:stable.
rolling_spec() {
  write_spec "$1" "{\"name\": \"$(cname "$1")\", \"image\": \"$(short_ref "$1")\",
                    \"update\": {\"rolling\": true}}"
}
short_ref() { echo "$REGISTRY/$RUN_PREFIX/$1:stable"; }

health_of() { inspect "$1" '{{if .State.Health}}{{.State.Health.Status}}{{end}}'; }

test_unhealthy_second_is_rolled_back() {
  begin_rolling_case || return
  assert_true "health images built" build_health_images || return
  local good1 good2 short
  good1=$(image_id "$HEALTH_GOOD_V1")
  good2=$(image_id "$HEALTH_GOOD_V2")
  for short in a b c; do
    assert_true "push good1 as $short" push_image "$HEALTH_GOOD_V1" "$(short_ref "$short")" || return
    rolling_spec "$short"
  done
  run_dockerup --pull
  assert_exit 0 || return
  local a b c a_old b_old c_old
  a=$(cname a) b=$(cname b) c=$(cname c)
  a_old=$(cid "$a") b_old=$(cid "$b") c_old=$(cid "$c")

  assert_true "push good2 as a" push_image "$HEALTH_GOOD_V2" "$(short_ref a)" || return
  assert_true "push bad as b" push_image "$HEALTH_BAD" "$(short_ref b)" || return
  assert_true "push good2 as c" push_image "$HEALTH_GOOD_V2" "$(short_ref c)" || return
  local since events
  since=$(date +%s)
  run_dockerup --pull
  assert_exit 1

  # a: replaced and healthy.
  assert_ne "$a_old" "$(cid "$a")" "container ID of $a"
  assert_eq "$good2" "$(container_image "$a")" "image of $a"
  assert_running "$a"
  assert_eq healthy "$(health_of "$a")" "health of $a"
  # b: its unhealthy replacement is gone; the previous container runs again.
  assert_eq "$b_old" "$(cid "$b")" "container of $b after the rollback"
  assert_eq "$good1" "$(container_image "$b")" "image of $b after the rollback"
  assert_running "$b"
  assert_eq 1 "$(count_managed "$b")" "containers labelled as $b"
  assert_true "no leftovers of $b" no_leftovers "$b"
  assert_match "$ERR" "container $b: .*unhealthy" "the error names $b and says why"
  # c: untouched, never stopped.
  assert_eq "$c_old" "$(cid "$c")" "container of $c"
  assert_eq "$good1" "$(container_image "$c")" "image of $c"
  assert_running "$c"
  events=$(container_events "$c" "$since")
  assert_eq "" "$events" "Docker events of $c during the run"
}

test_rolling_without_healthcheck_goes_one_at_a_time() {
  begin_rolling_case || return
  set_conf rolling_wait 2
  local short
  for short in a b; do
    assert_true "push v1 as $short" push_image "$IMAGE_V1" "$(short_ref "$short")" || return
    rolling_spec "$short"
  done
  run_dockerup --pull
  assert_exit 0 || return
  for short in a b; do
    assert_true "push v2 as $short" push_image "$IMAGE_V2" "$(short_ref "$short")" || return
  done
  local since events a b a_new b_new a_start b_start started_at finished_at
  a=$(cname a) b=$(cname b)
  since=$(date +%s)
  started_at=$SECONDS
  run_dockerup --pull
  finished_at=$SECONDS
  assert_exit 0
  a_new=$(cid "$a") b_new=$(cid "$b")
  assert_eq "$(image_id "$IMAGE_V2")" "$(container_image "$a")" "image of $a"
  assert_eq "$(image_id "$IMAGE_V2")" "$(container_image "$b")" "image of $b"
  # b's new container starts only after a's new one stayed up rolling_wait (2 s).
  a_start=$("$DOCKER" events --since "$since" --until "$(($(date +%s) + 1))" \
    --filter type=container --filter "container=$a_new" --filter event=start \
    --format '{{.TimeNano}}' | head -n 1)
  b_start=$("$DOCKER" events --since "$since" --until "$(($(date +%s) + 1))" \
    --filter type=container --filter "container=$b_new" --filter event=start \
    --format '{{.TimeNano}}' | head -n 1)
  assert_true "both new containers started (a=$a_start b=$b_start)" \
    test -n "$a_start" -a -n "$b_start"
  assert_true "b started >= 2 s after a (a=$a_start b=$b_start)" \
    test $((b_start - a_start)) -ge 2000000000
  assert_true "the run took at least 2 x rolling_wait" test $((finished_at - started_at)) -ge 4
}

test_case "rolling: unhealthy second container is rolled back, third untouched" \
  test_unhealthy_second_is_rolled_back
test_case "rolling without HEALTHCHECK waits rolling_wait between containers" \
  test_rolling_without_healthcheck_goes_one_at_a_time
finish
