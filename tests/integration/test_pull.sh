#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Pulls against a local registry (Debian's docker-registry on 127.0.0.1): a new image under the
# same tag replaces the container with --pull, is ignored with --no-pull, and a registry that
# cannot be reached never costs the running container.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
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

test_case "new image under the same tag" test_new_image_under_same_tag
test_case "unreachable registry keeps the container" test_unreachable_registry_keeps_container
finish
