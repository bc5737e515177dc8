#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Garbage collection against a real dockerd: which images dockerup removes after a run, and
# which it never touches.
#
# Every image here is built by this file from dockerup-test/busybox:base, named
# dockerup-test-gc-<run prefix>/... and labelled dockerup-test-gc=<run prefix>; the EXIT trap
# removes those and only those. A real gc=aggressive run would remove every unused image on
# the host (other people's too), so aggressive is proven with --dry-run only.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

GC_BASE=dockerup-test/busybox:base
GC_REPO="dockerup-test-gc-$RUN_PREFIX"

# Two passes: a top-level image first takes its build parents with it; the second pass catches
# the intermediate images of a build that failed half-way.
remove_gc_images() {
  local ids _pass
  for _pass in 1 2; do
    ids=$("$DOCKER" images -a -q --no-trunc --filter "label=dockerup-test-gc=$RUN_PREFIX" | sort -u)
    [ -z "$ids" ] && return 0
    # shellcheck disable=SC2086 # one ID per word
    "$DOCKER" rmi -f $ids >/dev/null 2>&1 || true
  done
}
trap 'cleanup_run; remove_gc_images' EXIT

# build_image NAME:TAG: builds a new image (a new ID every time) under GC_REPO/NAME:TAG and
# prints its ID. Building again under the same tag moves the tag, as a pull of a new version would.
build_image() {
  local tag=$1 context
  context=$(mktemp -d "$WORK/build.XXXXXX")
  cat >"$context/Dockerfile" <<DOCKERFILE
FROM $GC_BASE
LABEL dockerup-test-gc=$RUN_PREFIX
RUN echo "$tag $RANDOM $(date +%s%N)" > /www/index.html
CMD ["sleep", "3600"]
DOCKERFILE
  "$DOCKER" build -q --network none -t "$GC_REPO/$tag" "$context" >/dev/null || return 1
  image_id "$GC_REPO/$tag"
}

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
short() { echo "${1:0:19}"; }  # "sha256:" and 12 hex digits, as dockerup prints IDs

assert_image_present() {  # ID WHAT
  ASSERTIONS=$((ASSERTIONS + 1))
  image_exists "$1" && return 0
  fail_assertion "image $(short "$1") ($2) should still exist"
  return 1
}

assert_image_absent() {  # ID WHAT
  ASSERTIONS=$((ASSERTIONS + 1))
  image_exists "$1" || return 0
  fail_assertion "image $(short "$1") ($2) should have been removed"
  return 1
}

# write_gc_spec STEM IMAGE [EXTRA_JSON]: a container of IMAGE named after STEM. No network: GC
# needs none, and the tests then do not depend on the host's bridge.
write_gc_spec() {
  local stem=$1 image=$2 extra=${3:-}
  write_spec "$stem" "{
    \"type\": \"docker\",
    \"name\": \"$(cname "$stem")\",
    \"image\": \"$image\",
    \"network\": \"none\"${extra:+,
    $extra}
  }"
}

container_image() { inspect "$1" '{{.Image}}'; }

begin_gc_case() {
  if ! image_exists "$GC_BASE"; then
    skip_case "$GC_BASE missing (run scripts/make-test-images.sh)"
    return 1
  fi
  set_conf gc on
}

# -------------------------------------------------------------------------------------------

test_update_removes_old_image() {
  begin_gc_case || return 0
  local v1 v2 v3 app
  app=$(cname app)
  v1=$(build_image app:live) || return 1
  write_gc_spec app "$GC_REPO/app:live"
  run_dockerup
  assert_exit 0
  assert_eq "$v1" "$(container_image "$app")" "first run runs v1"

  v2=$(build_image app:live) || return 1
  run_dockerup
  assert_exit 0
  assert_eq "$v2" "$(container_image "$app")" "update to v2"
  assert_image_present "$v2" "v2, running"
  # v1 may be kept one update longer for rollback; after the next update it must be gone.
  local logs=$ERR

  v3=$(build_image app:live) || return 1
  run_dockerup
  assert_exit 0
  assert_eq "$v3" "$(container_image "$app")" "update to v3"
  assert_image_present "$v3" "v3, running"
  assert_image_absent "$v1" "v1, replaced twice"
  logs+=$'\n'$ERR
  assert_contains "$logs" "gc: removed image $(short "$v1") (untagged)" "log of the removal"
  assert_match "$logs" "gc: removed [0-9]+ image\(s\), freed [0-9.]+ (B|KiB|MiB|GiB)" "gc summary"
}

test_hand_started_container_keeps_image() {
  begin_gc_case || return 0
  local image
  image=$(build_image hand:1) || return 1
  write_gc_spec svc "$GC_REPO/hand:1"
  run_dockerup
  assert_exit 0
  assert_running "$(cname svc)"
  run_by_hand "$(cname byhand)" --network none "$GC_REPO/hand:1"  # same image, outside dockerup

  rm "$(spec_path svc)"
  run_dockerup
  assert_exit 0
  assert_absent "$(cname svc)"
  assert_image_present "$image" "used by a container started by hand"

  # Stopped, it still uses the image.
  "$DOCKER" stop -t 0 "$(cname byhand)" >/dev/null
  run_dockerup
  assert_exit 0
  assert_image_present "$image" "used by a stopped container started by hand"
}

test_stopped_declared_container_keeps_image() {
  begin_gc_case || return 0
  local image job
  job=$(cname job)
  image=$(build_image job:1) || return 1
  write_gc_spec job "$GC_REPO/job:1" '"command": "true", "restart": "no"'
  run_dockerup
  assert_exit 0
  wait_until 10 test "$(inspect "$job" '{{.State.Status}}')" = exited
  assert_eq exited "$(inspect "$job" '{{.State.Status}}')" "one-shot container finished"
  run_dockerup
  assert_exit 0
  assert_image_present "$image" "referenced by a stopped declared container"
  assert_eq exited "$(inspect "$job" '{{.State.Status}}')" "container kept"
}

test_removed_spec_image_goes() {
  begin_gc_case || return 0
  local gone kept
  gone=$(build_image gone:1) || return 1
  kept=$(build_image kept:1) || return 1
  write_gc_spec gone "$GC_REPO/gone:1"
  write_gc_spec kept "$GC_REPO/kept:1"
  run_dockerup
  assert_exit 0
  assert_running "$(cname gone)"

  rm "$(spec_path gone)"
  run_dockerup
  assert_exit 0
  assert_absent "$(cname gone)"
  assert_image_absent "$gone" "image of the removed spec"
  assert_image_present "$kept" "image of a declared, running spec"
  assert_contains "$ERR" "gc: removed image $(short "$gone") ($GC_REPO/gone:1)" "log names the image"
}

test_untouched_image_stays() {
  begin_gc_case || return 0
  local untouched
  untouched=$(build_image untouched:1) || return 1
  build_image app:1 >/dev/null || return 1
  write_gc_spec app "$GC_REPO/app:1"
  run_dockerup
  assert_exit 0
  run_dockerup
  assert_exit 0
  assert_image_present "$untouched" "never pulled nor run by dockerup (gc=on)"

  # gc=aggressive would remove it: proven by a dry run (a real one would remove every unused
  # image on this host, not only ours).
  set_conf gc aggressive
  run_dockerup --dry-run
  assert_exit 0
  assert_contains "$OUT$ERR" "would remove image $(short "$untouched") ($GC_REPO/untouched:1)" \
    "aggressive dry run lists the untouched image"
  assert_image_present "$untouched" "after an aggressive dry run"
}

test_dry_run_lists_with_sizes_and_removes_nothing() {
  begin_gc_case || return 0
  local image
  image=$(build_image old:1) || return 1
  write_gc_spec old "$GC_REPO/old:1"
  run_dockerup
  assert_exit 0

  # The spec goes while gc is off: its container is removed, its image stays behind.
  rm "$(spec_path old)"
  set_conf gc off
  run_dockerup
  assert_exit 0
  assert_absent "$(cname old)"
  assert_image_present "$image" "gc=off removes nothing"

  set_conf gc on
  run_dockerup --dry-run
  assert_exit 0
  assert_match "$OUT$ERR" "would remove image $(short "$image") \($GC_REPO/old:1\), [0-9.]+ (B|KiB|MiB|GiB)" \
    "dry run lists the image with its size"
  assert_match "$OUT$ERR" "gc would remove 1 item\(s\), freeing up to [0-9.]+ (B|KiB|MiB|GiB)" \
    "dry run total"
  assert_image_present "$image" "after a dry run"

  run_dockerup
  assert_exit 0
  assert_image_absent "$image" "the real run removes it"
}

test_case "after an update the old image goes, the new one stays" test_update_removes_old_image
test_case "an image used by a container started by hand stays" test_hand_started_container_keeps_image
test_case "an image of a stopped declared container stays" test_stopped_declared_container_keeps_image
test_case "a removed spec's image goes" test_removed_spec_image_goes
test_case "an image dockerup never touched stays (listed by gc=aggressive)" test_untouched_image_stays
test_case "dry run lists images with sizes and removes nothing" test_dry_run_lists_with_sizes_and_removes_nothing
finish
