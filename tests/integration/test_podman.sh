#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Podman's Docker-compatible service (`podman system service`, Debian 12's Podman 4.3) as the
# engine: create, start and replace; images as Podman names them (localhost/NAME:TAG,
# docker.io/library/NAME:TAG) match the references in container files; links are refused with
# an error naming the spec file. The service is private to this file: rootful, its own storage
# (vfs), config and runtime dirs under $WORK, in its own network namespace (its bridge and
# iptables rules go with it). What makes Podman run containers in a sandbox like CI's: cgroupfs
# (no systemd), events in a file (no journald), and low container ulimits (1024): Podman's
# default raises RLIMIT_NPROC/NOFILE, which needs CAP_SYS_RESOURCE (here runc was refused
# RLIMIT_NPROC from 4096 up, even below this shell's own hard limit).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

PM_DIR="$WORK/podman"
PM_SOCKET="$PM_DIR/podman.sock"
PM_NETNS="dutpm$$"
PM_READY=""
PM_CI_REASON=""  # set when the machine, not a missing package, is why Podman cannot run
PM_PID=""

# in_podman_env COMMAND...: COMMAND with this file's Podman config and storage, in its
# network namespace (nsenter execs COMMAND: a background one's $! is COMMAND's own PID).
in_podman_env() {
  CONTAINERS_CONF="$PM_DIR/containers.conf" CONTAINERS_STORAGE_CONF="$PM_DIR/storage.conf" \
    exec nsenter --net="/run/netns/$PM_NETNS" "$@"
}
podman_cmd() { (in_podman_env timeout 60 podman "$@"); }
# pdocker ARGS...: the docker CLI against the Podman service (it speaks API 1.41 to it).
pdocker() { DOCKER_HOST="unix://$PM_SOCKET" timeout 30 "$DOCKER" "$@"; }
pinspect() { pdocker inspect --format "$2" "$1" 2>/dev/null; }

write_podman_config() {
  mkdir -p "$PM_DIR/cni" "$PM_DIR/tmp"
  local nproc nofile
  nproc=$(( $(ulimit -Hu) < 1024 ? $(ulimit -Hu) : 1024 ))
  nofile=$(( $(ulimit -Hn) < 1024 ? $(ulimit -Hn) : 1024 ))
  cat >"$PM_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nproc=$nproc:$nproc", "nofile=$nofile:$nofile"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$PM_DIR/tmp"
[network]
network_backend = "cni"
network_config_dir = "$PM_DIR/cni"
CONF
  cat >"$PM_DIR/storage.conf" <<CONF
[storage]
driver = "vfs"
runroot = "$PM_DIR/run"
graphroot = "$PM_DIR/root"
CONF
}

# Starts the service with the test images; sets PM_READY=yes or the reason it cannot run.
start_podman() {
  local tool
  for tool in podman nsenter ip; do
    command -v "$tool" >/dev/null || { PM_READY="$tool is not installed"; return; }
  done
  [ "$(id -u)" = 0 ] || { PM_READY="a private Podman service needs root"; return; }
  write_podman_config
  if ! { ip netns add "$PM_NETNS" && ip -n "$PM_NETNS" link set lo up; }; then
    PM_READY="could not make network namespace $PM_NETNS"
    return
  fi
  if ! "$DOCKER" save "$IMAGE_V1" "$IMAGE_V2" | podman_cmd load >"$PM_DIR/load.log" 2>&1; then
    PM_READY="podman load failed: $(tail -n 2 "$PM_DIR/load.log")"
    return
  fi
  # Whether Podman can run a container here at all (the reason is printed with each skip).
  if ! podman_cmd run --rm "$IMAGE_V1" true >"$PM_DIR/probe.log" 2>&1; then
    PM_READY="Podman cannot run containers on this machine: $(tail -n 1 "$PM_DIR/probe.log")"
    PM_CI_REASON="the kernel or sandbox refuses what Podman needs (see the reason)"
    return
  fi
  in_podman_env podman system service --time=0 "unix://$PM_SOCKET" >"$PM_DIR/service.log" \
    2>&1 </dev/null &
  PM_PID=$!
  if ! wait_until 30 curl -fs --max-time 2 --unix-socket "$PM_SOCKET" -o /dev/null http://d/_ping
  then
    PM_READY="podman system service did not answer: $(tail -n 3 "$PM_DIR/service.log")"
    return
  fi
  PM_READY=yes
}

# Everything goes with the private storage; containers first, so that nothing stays mounted.
stop_podman() {
  [ -d "$PM_DIR" ] && podman_cmd rm -af -t 0 >/dev/null 2>&1
  [ -n "$PM_PID" ] && kill "$PM_PID" 2>/dev/null && wait "$PM_PID" 2>/dev/null
  ip netns delete "$PM_NETNS" 2>/dev/null
}
trap 'stop_podman; cleanup_run' EXIT

needs_podman() {
  [ "$PM_READY" = yes ] && return 0
  skip_case "$PM_READY" "$PM_CI_REASON"
  return 1
}

# run_on_podman: a dockerup run of this case against the Podman service.
run_on_podman() { run_dockerup --remote "unix://$PM_SOCKET"; }

test_create_start_replace() {
  needs_podman || return 0
  local web id
  web=$(cname web)
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V1\", \"env\": {\"MODE\": \"one\"}}"
  run_on_podman
  assert_exit 0 || return 1
  id=$(pinspect "$web" '{{.Id}}')
  assert_eq true "$(pinspect "$web" '{{.State.Running}}')" "$web runs on Podman"
  assert_eq true "$(pinspect "$web" '{{index .Config.Labels "io.dockerup.managed"}}')" "managed"
  # Podman spells the local image localhost/...: dockerup read it as the spec's reference.
  assert_eq "localhost/$IMAGE_V1" "$(pinspect "$web" '{{.Config.Image}}')" "Podman's name"
  run_on_podman
  assert_exit 0
  assert_eq "$id" "$(pinspect "$web" '{{.Id}}')" "a second run keeps $web"
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V2\", \"env\": {\"MODE\": \"two\"}}"
  run_on_podman
  assert_exit 0
  assert_ne "$id" "$(pinspect "$web" '{{.Id}}')" "a changed spec replaces $web"
  assert_eq true "$(pinspect "$web" '{{.State.Running}}')" "the replacement runs"
  assert_contains "$(pinspect "$web" '{{range .Config.Env}}{{println .}}{{end}}')" "MODE=two" \
    "the replacement has the new env"
  assert_eq 1 "$(pdocker ps -a -q --filter "label=io.dockerup.name=$web" | wc -l)" \
    "one container for $web"
}

# Podman's docker.io/library/NAME:TAG matches NAME:TAG and the full name alike. (A reference
# written localhost/NAME means a registry named localhost, as with Docker: see the README.)
test_podman_image_names_match() {
  needs_podman || return 0
  local short="$P-hub:v1" a b ids
  podman_cmd tag "localhost/$IMAGE_V1" "docker.io/library/$short" >/dev/null
  assert_contains "$(podman_cmd images --format '{{.Repository}}:{{.Tag}}')" \
    "docker.io/library/$short" "Podman names the Hub image docker.io/library/..."
  a=$(cname a)
  b=$(cname b)
  write_spec a "{\"name\": \"$a\", \"image\": \"$short\"}"
  write_spec b "{\"name\": \"$b\", \"image\": \"docker.io/library/$short\"}"
  run_on_podman
  assert_exit 0 || return 1
  assert_not_contains "$ERR" "pulling" "both found locally, nothing pulled"
  assert_eq true "$(pinspect "$a" '{{.State.Running}}')" "$a ($short) runs"
  assert_eq true "$(pinspect "$b" '{{.State.Running}}')" "$b (docker.io/library/$short) runs"
  ids="$(pinspect "$a" '{{.Id}}') $(pinspect "$b" '{{.Id}}')"
  run_on_podman
  assert_exit 0
  assert_eq "$ids" "$(pinspect "$a" '{{.Id}}') $(pinspect "$b" '{{.Id}}')" \
    "a second run finds the image under both names and replaces nothing"
}

test_links_are_refused() {
  needs_podman || return 0
  local db web id
  db=$(cname db)
  web=$(cname web)
  write_spec db "{\"name\": \"$db\", \"image\": \"$IMAGE_V1\"}"
  run_on_podman
  assert_exit 0 || return 1
  id=$(pinspect "$db" '{{.Id}}')
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V1\", \"links\": {\"$db\": \"db\"}}"
  run_on_podman
  assert_exit 1
  assert_contains "$ERR" "$(spec_path web): \$.links: the engine at" "the error names the spec"
  assert_contains "$ERR" "is Podman, which does not support links" "and says why"
  assert_eq "" "$(pinspect "$web" '{{.Id}}')" "$web not created"
  assert_eq "$id" "$(pinspect "$db" '{{.Id}}')" "$db kept"
  assert_eq true "$(pinspect "$db" '{{.State.Running}}')" "$db still runs"
}

start_podman
[ "$PM_READY" = yes ] || echo "podman: $PM_READY"
test_case "create, start, keep and replace on Podman" test_create_start_replace
test_case "docker.io/library/ names match the references" \
  test_podman_image_names_match
test_case "links on Podman: an error naming the spec, nothing created" test_links_are_refused
finish
