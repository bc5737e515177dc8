# shellcheck shell=bash
# A private registry for the update tests, sourced after lib.sh: Debian's docker-registry on a
# free 127.0.0.1 port, with its own config file and storage under the case's directory, so the
# tests never talk to anything but 127.0.0.1 (Docker trusts 127.0.0.0/8 without TLS).
#
#   registry_start          starts it (again, on the same port and storage when it ran before in
#                           this case); sets REGISTRY=127.0.0.1:PORT
#   registry_stop           stops it and waits until the port is closed
#   push_image SRC DEST     makes DEST (a reference under $REGISTRY) serve the local image SRC
#   build_image TAG DOCKERFILE      a local image built offline (FROM a local image)
#   container_events NAME SINCE     what Docker recorded for NAME's containers since SINCE
#   begin_web_case          a registry, WEB and REF for a case about one container on it
#
# Pushes go through the name "localhost:PORT" while dockerup is given "127.0.0.1:PORT": both
# reach the same registry, but the host's local tag for dockerup's reference then changes only
# when dockerup pulls it, exactly as on a real host where someone else pushes.

REGISTRY=""
REGISTRY_PID=""
REGISTRY_CASE=""
REGISTRY_WAIT=20  # seconds the registry may take to answer

# shellcheck disable=SC2034 # used by the test files
BASE_IMAGE=dockerup-test/busybox:base

# _registry_config PORT: writes the registry's config for this case and prints its path.
_registry_config() {
  local port=$1 dir="$CASE_DIR/registry"
  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
  echo "$dir/config.yml"
}

registry_answers() { curl -fs --max-time 1 -o /dev/null "http://$REGISTRY/v2/"; }

registry_start() {
  local port config
  if [ "$REGISTRY_CASE" = "$CASE_DIR" ] && [ -n "$REGISTRY" ]; then
    port=${REGISTRY##*:}  # a restart keeps port and storage: the "next run" sees the same images
  else
    port=$(free_port)
  fi
  REGISTRY="127.0.0.1:$port"
  REGISTRY_CASE=$CASE_DIR
  config=$(_registry_config "$port")
  docker-registry serve "$config" >>"$CASE_DIR/registry/registry.log" 2>&1 </dev/null &
  REGISTRY_PID=$!
  BACKGROUND_PIDS+=("$REGISTRY_PID")  # lib.sh stops it at the end of the case
  if ! wait_until "$REGISTRY_WAIT" registry_answers; then
    echo "    registry did not answer on $REGISTRY within ${REGISTRY_WAIT}s:" >&2
    tail -n 5 "$CASE_DIR/registry/registry.log" >&2
    return 1
  fi
}

registry_down() { ! registry_answers; }

registry_stop() {
  [ -n "$REGISTRY_PID" ] || return 0
  kill "$REGISTRY_PID" 2>/dev/null
  wait "$REGISTRY_PID" 2>/dev/null
  REGISTRY_PID=""
  wait_until 10 registry_down
}

# push_image SRC DEST: DEST is REGISTRY/PATH:TAG as dockerup sees it.
push_image() {
  local source=$1 destination=$2 push_name
  push_name="localhost:${destination#127.0.0.1:}"
  "$DOCKER" tag "$source" "$push_name" || return 1
  if ! timeout 60 "$DOCKER" push "$push_name" >"$CASE_DIR/push.log" 2>&1; then
    echo "    docker push $push_name failed:" >&2
    tail -n 5 "$CASE_DIR/push.log" >&2
    "$DOCKER" rmi "$push_name" >/dev/null 2>&1
    return 1
  fi
  "$DOCKER" rmi "$push_name" >/dev/null 2>&1  # only the tag: SRC still names the image
  return 0
}

# The image ID a container runs.
container_image() { inspect "$1" '{{.Image}}'; }

# build_image TAG DOCKERFILE: FROM must name a local image (no network); TAG is removed at exit.
build_image() {
  local tag=$1 context
  context=$(mktemp -d "$WORK/build.XXXXXX")
  printf '%s\n' "$2" >"$context/Dockerfile"
  OWN_IMAGES+=("$tag")
  timeout 120 "$DOCKER" build -q -t "$tag" "$context" >"$context/build.log" 2>&1 || {
    echo "    docker build $tag failed:" >&2
    tail -n 5 "$context/build.log" >&2
    return 1
  }
}

# No container named NAME.dockerup-new or NAME.dockerup-old, running or not.
no_leftovers() {
  ! exists "$1.dockerup-new" && ! exists "$1.dockerup-old"
}

# How many containers (any state) carry exactly the Docker name NAME or a leftover name of it.
count_named() {
  "$DOCKER" ps -a --format '{{.Names}}' | grep -Ec "^${1//./[.]}(\$|[.]dockerup-)"
}

# Every image reference (tag or digest) of a repository under REGISTRY/RUN_PREFIX/ or
# localhost:PORT/RUN_PREFIX/: what pushes and dockerup's pulls left on the host.
_registry_references() {
  "$DOCKER" images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' |
    while read -r repository tag digest; do
      [[ "$repository" == *"/$RUN_PREFIX/"* ]] || continue
      [ "$tag" != "<none>" ] && echo "$repository:$tag"
      [ "$digest" != "<none>" ] && echo "$repository@$digest"
    done
}

registry_cleanup() {
  local references
  references=$(_registry_references | sort -u)
  [ -z "$references" ] && return 0
  # shellcheck disable=SC2086 # one reference per word
  "$DOCKER" rmi $references >/dev/null 2>&1 || true
}

# container_events NAME SINCE: "ACTION CONTAINER_ID" lines, oldest first, of the life-cycle
# events (not health-check execs) of every container labelled as dockerup's NAME, from SINCE
# (unix seconds) until now.
container_events() {
  local until=$(($(date +%s) + 1))
  timeout 10 "$DOCKER" events --since "$2" --until "$until" \
    --filter type=container --filter "label=io.dockerup.name=$1" \
    --filter event=create --filter event=start --filter event=restart --filter event=kill \
    --filter event=die --filter event=stop --filter event=rename --filter event=destroy \
    --format '{{.Action}} {{.Actor.ID}}'
}

# first_event_line EVENTS ID ACTION...: the line number of ID's first event among ACTIONs, or
# a number past the end when there is none (so "before" comparisons fail loudly).
first_event_line() {
  local events=$1 id=$2 line=0 action event_id wanted
  shift 2
  while read -r action event_id; do
    line=$((line + 1))
    [ "$event_id" = "$id" ] || continue
    for wanted in "$@"; do
      [ "$action" = "$wanted" ] && { echo "$line"; return 0; }
    done
  done <<<"$events"
  echo 999999
}

# begin_web_case: the start of a case about container WEB running REF (web:stable in this case's
# registry): a registry, and short stop timeouts (httpd as PID 1 ignores SIGTERM).
# shellcheck disable=SC2034 # WEB and REF are for the test files
begin_web_case() {
  set_conf stop_timeout 1
  assert_true "registry answers on 127.0.0.1" registry_start || return 1
  WEB=$(cname web)
  REF="$REGISTRY/$RUN_PREFIX/web:stable"
}

# The image IDs of the shared test images v1 and v2, what the update cases expect containers to run.
# shellcheck disable=SC2034 # used by the test files
V1_ID=$(image_id "$IMAGE_V1")
# shellcheck disable=SC2034 # used by the test files
V2_ID=$(image_id "$IMAGE_V2")

# Containers first (lib.sh), then the image references they may have used.
trap 'cleanup_run; registry_cleanup' EXIT

require_registry_tools() {
  command -v docker-registry >/dev/null && return 0
  echo "FAIL $TEST_FILE: docker-registry missing (apt-get install docker-registry)" >&2
  # shellcheck disable=SC2034 # read by finish in lib.sh
  FAILED=1
  finish
}
