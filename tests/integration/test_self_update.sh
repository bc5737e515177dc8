#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Self-update: dockerup runs in its own container (an image assembled from the built binary and
# its shared libraries, no base image), with the Docker socket, its confdir and its cache mounted
# and its own spec in containers.d ("eager"). A new image under its tag makes it replace itself:
# afterwards exactly one container carries its name, running the new image, with no leftovers,
# and the other declared container was not touched.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry.sh
source "$(dirname "$0")/registry.sh"
require_environment

SELF_V1="dockerup-test/$RUN_PREFIX-dockerup:v1"
SELF_V2="dockerup-test/$RUN_PREFIX-dockerup:v2"
SELF_TAG="dockerup-test/$RUN_PREFIX-dockerup:current"
HANDOVER_WAIT=60  # seconds the in-container dockerup may take to replace itself

# The image packaging/make-image.sh assembles; if that script is missing or fails, the same
# recipe in short: the binary, every library ldd lists, imported with `docker import`.
assemble_dockerup_image() {
  local tag=$1 maker="$TOP/packaging/make-image.sh"
  OWN_IMAGES+=("$tag")
  if [ -x "$maker" ] &&
     "$maker" --binary "$DOCKERUP" --tag "$tag" >"$WORK/make-image.log" 2>&1; then
    return 0
  fi
  echo "    packaging/make-image.sh unusable, assembling in the test:" >&2
  tail -n 3 "$WORK/make-image.log" 2>/dev/null >&2
  local rootfs="$WORK/rootfs" library
  mkdir -p "$rootfs/usr/sbin" "$rootfs/tmp"
  cp "$DOCKERUP" "$rootfs/usr/sbin/dockerup"
  for library in $(ldd "$DOCKERUP" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    mkdir -p "$rootfs$(dirname "$library")"
    cp -L "$library" "$rootfs$library"
  done
  tar -C "$rootfs" -c . | "$DOCKER" import --change 'ENTRYPOINT ["/usr/sbin/dockerup"]' - "$tag" \
    >/dev/null
}

build_self_images() {
  assemble_dockerup_image "$SELF_V1" || return 1
  # v2: the same program in an image with another ID, as a release would be.
  build_image "$SELF_V2" "FROM $SELF_V1
LABEL dockerup-test.self=v2" || return 1
  "$DOCKER" tag "$SELF_V1" "$SELF_TAG" && OWN_IMAGES+=("$SELF_TAG")
}

# dockerup's own spec: the case directory is mounted at the same path, so the confdir, cache and
# config paths mean the same inside and outside.
write_self_spec() {
  write_spec dockerup "{
    \"name\": \"$SELF\", \"image\": \"$SELF_TAG\",
    \"command\": [\"--server\", \"--interval\", \"2\", \"--no-pull\", \"--config\", \"$CONF\",
                  \"--confdir\", \"$CONFDIR\", \"--cache\", \"$CACHE\"],
    \"volumes\": [
      {\"containerPath\": \"/var/run/docker.sock\", \"hostPath\": \"$DOCKER_SOCKET\"},
      {\"containerPath\": \"$CASE_DIR\", \"hostPath\": \"$CASE_DIR\"}],
    \"update\": {\"pull\": false, \"eager\": true}}"
}

self_logs() { "$DOCKER" logs "$SELF" 2>&1; }
self_ran_once() { grep -q "run ok" <<<"$(self_logs)"; }

self_replaced() {
  [ "$(count_named "$SELF")" = 1 ] && no_leftovers "$SELF" &&
    [ "$(container_image "$SELF")" = "$V2_ID" ] &&
    [ "$(inspect "$SELF" '{{.State.Running}}')" = true ]
}

# What every dockerup container said, for a failure report.
show_self_logs() {
  local id
  for id in $("$DOCKER" ps -a -q --filter "label=io.dockerup.name=$SELF"); do
    echo "    --- logs of $(inspect "$id" '{{.Name}}') ($id):" >&2
    "$DOCKER" logs "$id" 2>&1 | tail -n 15 | sed 's/^/    /' >&2
  done
}

test_dockerup_replaces_itself() {
  set_conf stop_timeout 1
  assert_true "dockerup images assembled" build_self_images || return
  V2_ID=$(image_id "$SELF_V2")
  SELF=$(cname dockerup)
  local other
  other=$(cname other)
  write_self_spec
  write_spec other "{\"name\": \"$other\", \"image\": \"$IMAGE_V1\"}"

  # A one-shot run on the host launches dockerup's container (and the other one).
  run_dockerup --no-pull
  assert_exit 0 || return
  assert_running "$SELF" || return
  assert_running "$other" || return
  assert_true "the in-container dockerup completed a run" wait_until 30 self_ran_once ||
    { show_self_logs; return 1; }
  local old_self other_id since
  old_self=$(cid "$SELF")
  other_id=$(cid "$other")

  # The old instance's log, kept past its removal: it must say that it handed over.
  "$DOCKER" logs -f "$old_self" >"$CASE_DIR/old-self.log" 2>&1 &
  BACKGROUND_PIDS+=($!)
  since=$(date +%s)
  "$DOCKER" tag "$SELF_V2" "$SELF_TAG"
  assert_true "dockerup replaced itself within ${HANDOVER_WAIT}s" \
    wait_until "$HANDOVER_WAIT" self_replaced || show_self_logs
  assert_ne "$old_self" "$(cid "$SELF")" "container ID of $SELF"
  assert_eq 1 "$(count_named "$SELF")" "containers named $SELF or its temporary names"
  assert_eq 1 "$(count_managed "$SELF")" "containers labelled as $SELF"
  assert_true "no leftovers of $SELF" no_leftovers "$SELF"
  assert_eq "$V2_ID" "$(container_image "$SELF")" "image of $SELF"
  assert_running "$SELF"
  assert_match "$(cat "$CASE_DIR/old-self.log")" "handing over|handed over" \
    "the old instance logged the hand-over"

  # The successor settles: two more intervals change nothing, and the other container was never
  # touched, not even stopped.
  local new_self
  new_self=$(cid "$SELF")
  sleep 5
  assert_eq "$new_self" "$(cid "$SELF")" "the new dockerup container stays"
  assert_true "the new dockerup keeps completing runs" self_ran_once
  assert_eq "$other_id" "$(cid "$other")" "container ID of $other"
  assert_running "$other"
  assert_eq "" "$(container_events "$other" "$since")" "Docker events of $other"
  [ "$CASE_FAILED" = 0 ] || show_self_logs
  # Stop the server before lib.sh removes the containers, so it cannot recreate any of them.
  "$DOCKER" rm -f "$SELF" >/dev/null 2>&1
}

test_case "dockerup in its own container replaces itself" test_dockerup_replaces_itself
finish
