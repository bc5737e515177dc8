#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Packaging: the .deb from packaging/make-deb.sh installs, runs and removes cleanly; the image
# from packaging/make-image.sh (no base image, no network) runs dockerup against this host's
# dockerd and reconciles an example, once and as a server that stops cleanly.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

DEB_BUILD_DIR=${DEB_BUILD_DIR:-$TOP/build-deb}

installed_files_gone() {
  [ ! -e /usr/sbin/dockerup ] && [ ! -e /usr/lib/systemd/system/dockerup.service ] &&
    [ ! -e /etc/dockerup/dockerup.conf ] && [ ! -e /usr/share/man/man8/dockerup.8.gz ]
}

test_deb_installs_runs_and_removes() {
  if dpkg-query -W dockerup >/dev/null 2>&1 || [ -e /usr/sbin/dockerup ]; then
    skip_case "a dockerup is already installed on this host; not touching it"
    return 0
  fi
  local deb
  # The binary under test, packaged: no second (release) compile of the whole tree.
  deb=$(bash "$TOP/packaging/make-deb.sh" --out "$CASE_DIR" --build-dir "$DEB_BUILD_DIR" \
    --binary "$DOCKERUP" 2>"$CASE_DIR/make-deb.err")
  assert_true "make-deb.sh built a .deb" test -f "$deb" || { cat "$CASE_DIR/make-deb.err" >&2; return 1; }
  local depends
  depends=$(dpkg-deb -f "$deb" Depends)
  assert_contains "$depends" "libmicrohttpd12" "Depends names the runtime libraries"
  assert_contains "$depends" "libcurl4" "Depends names libcurl"

  dpkg -i "$deb" >"$CASE_DIR/dpkg-i.out" 2>&1
  assert_eq 0 "$?" "dpkg -i" || { cat "$CASE_DIR/dpkg-i.out" >&2; return 1; }
  assert_match "$(/usr/sbin/dockerup --version)" "^dockerup [0-9]+\.[0-9]+\.[0-9]+$" "installed dockerup --version"
  assert_true "config installed" test -f /etc/dockerup/dockerup.conf
  assert_true "containers.d installed" test -d /etc/dockerup/containers.d
  assert_true "man page installed" test -f /usr/share/man/man8/dockerup.8.gz
  assert_contains "$(cat /usr/lib/systemd/system/dockerup.service 2>&1)" \
    "ExecStart=/usr/sbin/dockerup --server --config /etc/dockerup/dockerup.conf" "unit ExecStart"
  assert_eq "install ok installed" "$(dpkg-query -W -f '${Status}' dockerup)" "package state"

  dpkg --purge dockerup >"$CASE_DIR/dpkg-purge.out" 2>&1
  assert_eq 0 "$?" "dpkg --purge" || cat "$CASE_DIR/dpkg-purge.out" >&2
  assert_true "every installed file removed" installed_files_gone
  assert_true "package gone" bash -c "! dpkg-query -W -f '\${Status}' dockerup 2>/dev/null | grep -q installed"
}

# One image per test run, removed at the end.
IMAGE_TAG="dockerup-test/dockerup:$RUN_PREFIX"
cleanup_image() { "$DOCKER" rmi -f "$IMAGE_TAG" >/dev/null 2>&1 || true; }
trap 'cleanup_run; cleanup_image' EXIT

make_image_once() {
  "$DOCKER" image inspect "$IMAGE_TAG" >/dev/null 2>&1 && return 0
  bash "$TOP/packaging/make-image.sh" --binary "$DOCKERUP" --tag "$IMAGE_TAG" >"$CASE_DIR/make-image.out" 2>&1
}

# The example spec, with a name of this case (its source lies in $WORK: cleaned up afterwards).
write_example() {
  write_spec web "{\"type\": \"docker\", \"name\": \"$(cname web)\", \"image\": \"$IMAGE_V1\",
    \"portMappings\": [{\"containerPort\": 8080, \"hostIp\": \"127.0.0.1\"}], \"restart\": \"always\"}"
}

# docker_run_dockerup ARGS...: the image with the Docker socket, the case's config, confdir (at
# the same path, so io.dockerup.source names it) and cache mounted.
image_mounts() {
  echo "-v $DOCKER_SOCKET:/var/run/docker.sock -v $CONF:/etc/dockerup/dockerup.conf:ro"
  echo "-v $CONFDIR:$CONFDIR:ro -v $CACHE:/var/cache/dockerup"
}

test_image_reconciles_an_example() {
  make_image_once
  assert_true "make-image.sh imported $IMAGE_TAG" "$DOCKER" image inspect "$IMAGE_TAG" ||
    { cat "$CASE_DIR/make-image.out" >&2; return 1; }
  assert_eq '["/usr/sbin/dockerup"]' "$("$DOCKER" image inspect -f '{{json .Config.Entrypoint}}' "$IMAGE_TAG")" "ENTRYPOINT"
  assert_match "$("$DOCKER" run --rm "$IMAGE_TAG" --version 2>&1)" "^dockerup [0-9]" "--version in the image"

  write_example
  # shellcheck disable=SC2046 # image_mounts is a list of words
  "$DOCKER" run --rm --name "$P-once" $(image_mounts) "$IMAGE_TAG" --no-pull \
    >"$CASE_DIR/once.out" 2>"$CASE_DIR/once.err"
  assert_eq 0 "$?" "one run in the image" || { tail -n 20 "$CASE_DIR/once.err" >&2; return 1; }
  assert_running "$(cname web)"
  assert_eq 1 "$(count_managed "$(cname web)")" "one container for the example"
  # shellcheck disable=SC2046
  local status
  status=$("$DOCKER" run --rm -v "$CACHE:/var/cache/dockerup" "$IMAGE_TAG" status 2>&1)
  assert_eq 0 "$?" "dockerup status in the image"
  assert_match "$status" "^$(cname web) .* running " "status names the example"
}

test_image_serves_and_stops_cleanly() {
  make_image_once
  assert_true "image available" "$DOCKER" image inspect "$IMAGE_TAG" || return 1
  write_example
  local server="$P-server"
  # shellcheck disable=SC2046
  "$DOCKER" run -d --name "$server" --label "dockerup-test=$RUN_PREFIX" $(image_mounts) \
    "$IMAGE_TAG" --server --interval 2 --no-pull >/dev/null
  assert_true "the served example runs within 60 s" \
    wait_until 60 bash -c "[ \"\$($DOCKER inspect -f '{{.State.Running}}' $(cname web) 2>/dev/null)\" = true ]" ||
    { "$DOCKER" logs "$server" 2>&1 | tail -n 20 >&2; return 1; }
  "$DOCKER" stop -t 30 "$server" >/dev/null
  assert_eq 0 "$(inspect "$server" '{{.State.ExitCode}}')" "exit code after docker stop (SIGTERM to PID 1)"
  assert_contains "$("$DOCKER" logs "$server" 2>&1)" "stop requested" "the server logged its stop"
  assert_running "$(cname web)"
}

test_case "deb: installs, runs --version, purges cleanly" test_deb_installs_runs_and_removes
test_case "image: one run reconciles an example" test_image_reconciles_an_example
test_case "image: --server in its own container stops cleanly on docker stop" test_image_serves_and_stops_cleanly
finish
