#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Pulls against a local registry (Debian's docker-registry on 127.0.0.1): a new image under the
# same tag replaces the container with --pull, is ignored with --no-pull, a registry that
# cannot be reached never costs the running container, and `dockerup status` names the image
# being pulled while a (held up) pull runs.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry_proxy.sh
source "$(dirname "$0")/registry_proxy.sh"
require_environment

test_new_image_under_same_tag() {
  assert_true "registry answers on 127.0.0.1" start_registry || return
  local web image
  web=$(cname web)
  image="$REGISTRY/$RUN_PREFIX/app:stable"
  assert_true "push v1" push_as "$IMAGE_V1" "$image" || return
  write_spec web "{\"name\": \"$web\", \"image\": \"$image\",
                   \"portMappings\": [{\"containerPort\": 8080, \"hostIp\": \"127.0.0.1\"}]}"
  run_dockerup --pull
  assert_exit 0
  assert_eq "app v1" "$(http_get "http://$(host_port "$web" 8080/tcp)/")" "page of v1"
  local v1_id
  v1_id=$(cid "$web")
  run_dockerup --pull --dry-run
  assert_contains "$OUT" "nothing to do" "a dry run asks the registry and finds the same image"
  assert_not_contains "$OUT" "would" "nothing would change"

  # The registry moves the tag to v2; the local tag stays on v1, so only a pull can see it.
  assert_true "push v2" push_as "$IMAGE_V2" "$image" || return
  "$DOCKER" tag "$IMAGE_V1" "$image"

  run_dockerup --no-pull
  assert_exit 0
  assert_eq "$v1_id" "$(cid "$web")" "--no-pull keeps the container"

  # A dry run asks the registry for the digest only: it shows the replacement, pulls nothing.
  run_dockerup --pull --dry-run
  assert_exit 0
  assert_contains "$OUT" "would replace $web: new image under the same tag ($image)" \
    "the dry run shows the moved tag"
  assert_eq "$v1_id" "$(cid "$web")" "the dry run changed nothing"
  assert_eq "$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE_V1")" \
    "$("$DOCKER" image inspect -f '{{.Id}}' "$image")" "the dry run pulled nothing"

  run_dockerup --pull
  assert_exit 0
  assert_ne "$v1_id" "$(cid "$web")" "--pull replaced the container"
  assert_eq "app v2" "$(http_get "http://$(host_port "$web" 8080/tcp)/")" "page of v2"
  assert_eq 1 "$(count_managed "$web")" "containers managed as $web"

  local v2_id
  v2_id=$(cid "$web")
  run_dockerup --pull
  assert_exit 0
  assert_eq "$v2_id" "$(cid "$web")" "a second pull of the same image changes nothing"
}

test_unreachable_registry_keeps_container() {
  assert_true "registry answers on 127.0.0.1" start_registry || return
  local web image
  web=$(cname web)
  image="$REGISTRY/$RUN_PREFIX/app:stable"
  assert_true "push v1" push_as "$IMAGE_V1" "$image" || return
  write_spec web "{\"name\": \"$web\", \"image\": \"$image\"}"
  run_dockerup --pull
  assert_exit 0
  local id
  id=$(cid "$web")
  stop_background  # the registry
  run_dockerup --pull
  # Whether a failed freshness check is an error (1) or a warning (0) is policy; what matters is
  # that it is reported and that the local image keeps running.
  assert_true "exit code 0 or 1, got $RC" test "$RC" -le 1
  assert_contains "$ERR" "$image" "message names the image"
  assert_eq "$id" "$(cid "$web")" "container kept when the pull fails"
  assert_running "$web"
}

# A pull held up by a proxy that lets the blobs through only once the test says so: while it
# waits, `dockerup status` (table and --json) names the image, since when and how far; once
# the pull is let go and the run ends, status shows no pull any more.
test_status_shows_the_pull_in_progress() {
  assert_true "registry answers on 127.0.0.1" start_registry || return
  local port web image gate="$CASE_DIR/let-the-pull-go"
  port=$(free_port)
  assert_true "gated registry proxy" start_registry_proxy "$port" gate "$gate" || return
  web=$(cname web)
  image="127.0.0.1:$port/$RUN_PREFIX/app:slow"
  assert_true "push an image with a layer of its own" push_unique_image "$image" || return
  OWN_IMAGES+=("$image")
  run_dockerup  # nothing declared yet: a status file to show the pull beside
  assert_exit 0

  write_spec web "{\"name\": \"$web\", \"image\": \"$image\"}"
  start_dockerup_background
  status_names_the_pull() {
    run_dockerup status
    [[ "$OUT" == *"pulling $image since "* ]]
  }
  assert_true "status names the image while it is pulled" wait_until 60 status_names_the_pull
  assert_match "$OUT" "pulling $image since [0-9T:-]+Z \([0-9]+/[0-9]+ layers, [0-9.]+ MB of [0-9.]+ MB\)" \
    "status line: image, since when, how far"
  assert_true "the proxy holds a blob download" wait_until 30 grep -q "^holding GET" "$CASE_DIR/proxy.log"
  run_dockerup status --json
  assert_contains "$OUT" "\"image\": \"$image\"" "status --json lists the pull"

  touch "$gate"
  run_ended() { ! kill -0 "$BACKGROUND_PID" 2>/dev/null; }
  assert_true "the run ends once the pull may go on" wait_until 120 run_ended
  wait "$BACKGROUND_PID"
  assert_eq 0 "$?" "exit code of the run that pulled"
  assert_running "$web"
  run_dockerup status
  assert_exit 0
  assert_not_contains "$OUT" "pulling" "status shows no pull once it ended"
  run_dockerup status --json
  assert_contains "$OUT" '"pulling": []' "status --json: no pull"
}

test_case "new image under the same tag" test_new_image_under_same_tag
test_case "unreachable registry keeps the container" test_unreachable_registry_keeps_container
test_case "status names the image being pulled, and forgets it when the pull ends" test_status_shows_the_pull_in_progress
finish
