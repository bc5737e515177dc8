#!/usr/bin/env bash
# A private, disposable Docker daemon beside the host's, for tests that need another engine
# version, a daemon they may restart or kill, or one listening on TLS.
#
#   private-dockerd.sh fetch ENGINE               unpack ENGINE's binaries (cached); print the dir
#   private-dockerd.sh start NAME [options]       start daemon NAME; print its environment
#       --engine debian12|debian13   Debian 12's /usr/sbin/dockerd (20.10, the default), or
#                                    Debian 13's docker.io 26.1 + containerd 1.7 (see fetch)
#       --bin-dir DIR                dockerd, containerd, docker-proxy from DIR instead
#       --tls ADDR:PORT CERT_DIR     also listen on tcp://ADDR:PORT with --tlsverify, using
#                                    CERT_DIR/{ca,server-cert,server-key}.pem
#       --no-netns                   stay in the host's network namespace (then the daemon runs
#                                    without bridge and iptables: containers get no network)
#   private-dockerd.sh stop NAME [--kill]         stop it (SIGTERM, or SIGKILL); data is kept
#   private-dockerd.sh restart NAME               stop and start again with the same options
#   private-dockerd.sh destroy NAME               stop it, delete its data and its netns
#   private-dockerd.sh env NAME                   print DOCKER_HOST=... and NETNS=...
#   private-dockerd.sh exec NAME COMMAND...       run COMMAND in its netns, DOCKER_HOST set
#   private-dockerd.sh status NAME                exit 0 when it answers
#
# Everything of daemon NAME is its own: socket $RUN/docker.sock, exec-root, pidfile, data-root
# under $STATE, the containerd dockerd starts under its exec-root, config file, log, and a
# network namespace "dockerup-NAME" with only its loopback up. The netns is why two daemons can
# run at once: each has its own docker0 bridge and its own iptables, so this one can never
# flush the host daemon's DOCKER chains or clash with its bridge. The Unix socket is reachable
# from anywhere; but published ports, 127.0.0.1 listeners (a test registry, the TLS port) and
# anything the daemon itself connects to live in the netns, so tests run their commands there:
#   scripts/private-dockerd.sh exec NAME bash tests/integration/run.sh
# Only the network namespace is entered (nsenter --net), not a mount namespace: the daemon sees
# the host's filesystem and cgroups, bind mounts of host paths work, and `stop` unmounts all.
#
# The host's daemon (/var/run/docker.sock) is never stopped, restarted or reconfigured.
set -euo pipefail

STATE_BASE=${DOCKERUP_ENGINES_STATE:-/var/lib/dockerup-engines}
RUN_BASE=${DOCKERUP_ENGINES_RUN:-/run/dockerup-engines}
CACHE=${DOCKERUP_ENGINES_CACHE:-/var/cache/dockerup-engines}
START_WAIT=${PRIVATE_DOCKERD_WAIT:-60}  # seconds a daemon may take to answer
STOP_WAIT=${PRIVATE_DOCKERD_STOP_WAIT:-30}

# Debian 13 (trixie) packages that make the "debian13" engine, fetched by name from the Debian
# archive into a private apt state: nothing is installed over the system's packages.
TRIXIE_PACKAGES=(docker.io containerd)
TRIXIE_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { echo "private-dockerd: $*" >&2; }
die() { say "$*"; exit 1; }

valid_name() {
  [[ "$1" =~ ^[a-z0-9][a-z0-9-]{0,19}$ ]] || die "bad name \"$1\": use 1-20 of [a-z0-9-]"
}

# -----------------------------------------------------------------------------------------
# fetch

apt_private() {  # apt-get with its lists, cache and sources under $CACHE/apt
  local apt=$CACHE/apt
  apt-get -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
    -o APT::Sandbox::User=root "$@"
}

fetch_debian13() {
  local root=$CACHE/debian13 stamp
  stamp="$root/.complete"
  if [ -f "$stamp" ] && [ -x "$root/usr/sbin/dockerd" ]; then
    echo "$root"
    return 0
  fi
  local apt=$CACHE/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$CACHE/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $TRIXIE_MIRROR trixie main" \
    >"$apt/sources.list"
  say "fetching ${TRIXIE_PACKAGES[*]} from Debian 13 (trixie)"
  apt_private -qq update >&2 || die "apt-get update of the trixie lists failed"
  rm -f "$CACHE/debs"/*.deb
  (cd "$CACHE/debs" && apt_private -qq download "${TRIXIE_PACKAGES[@]}" >&2) ||
    die "apt-get download ${TRIXIE_PACKAGES[*]} failed"
  rm -rf "$root.tmp"
  mkdir -p "$root.tmp"
  local deb
  for deb in "$CACHE/debs"/*.deb; do dpkg-deb -x "$deb" "$root.tmp"; done
  "$root.tmp/usr/sbin/dockerd" --version >&2 || die "the unpacked dockerd does not run here"
  rm -rf "$root"
  mv "$root.tmp" "$root"
  touch "$stamp"
  echo "$root"
}

# fetch ENGINE: prints the PATH prefix that holds ENGINE's dockerd, containerd and docker-proxy.
engine_path() {
  case $1 in
    debian12)
      [ -x /usr/sbin/dockerd ] || die "/usr/sbin/dockerd missing (apt-get install docker.io)"
      echo "/usr/sbin:/usr/bin" ;;
    debian13)
      local root
      root=$(fetch_debian13) || exit 1
      echo "$root/usr/sbin:$root/usr/bin:$root/usr/libexec/docker/cli-plugins:/usr/sbin:/usr/bin" ;;
    *) die "unknown engine \"$1\" (debian12 or debian13)" ;;
  esac
}

# -----------------------------------------------------------------------------------------
# One daemon's paths and state

paths() {  # NAME: sets STATE RUN NETNS SOCKET PIDFILE LOG ARGS_FILE
  valid_name "$1"
  STATE="$STATE_BASE/$1"
  RUN="$RUN_BASE/$1"
  NETNS="dockerup-$1"
  SOCKET="$RUN/docker.sock"
  PIDFILE="$RUN/dockerd.pid"
  LOG="$STATE/dockerd.log"
  ARGS_FILE="$STATE/start-args"
}

daemon_pid() {  # prints the pid when the daemon of the current paths runs
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  # The pidfile may be stale and the pid reused: it must be a dockerd using our socket.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "unix://$SOCKET" || return 1
  echo "$pid"
}

answers() {
  curl -s --max-time 5 --unix-socket "$SOCKET" http://localhost/_ping 2>/dev/null | grep -qx OK
}

ensure_netns() {
  ip netns list | awk '{print $1}' | grep -qx "$NETNS" || ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
}

in_netns() {  # COMMAND...: runs it in the daemon's network namespace (if it has one)
  if [ -e "/run/netns/$NETNS" ]; then
    nsenter --net="/run/netns/$NETNS" -- "$@"
  else
    "$@"
  fi
}

print_env() {
  echo "DOCKER_HOST=unix://$SOCKET"
  if [ -e "/run/netns/$NETNS" ]; then echo "NETNS=$NETNS"; else echo "NETNS="; fi
}

# -----------------------------------------------------------------------------------------
# start / stop

write_daemon_config() {  # own config file: the host's /etc/docker/daemon.json is not ours
  if [ -n "$USE_NETNS" ]; then
    echo '{}' >"$STATE/daemon.json"
  else
    # In the host's netns a second daemon must not touch the bridge or iptables.
    echo '{"bridge": "none", "iptables": false, "ip6tables": false}' >"$STATE/daemon.json"
  fi
}

cmd_start() {
  local name=$1
  shift
  paths "$name"
  local engine=debian12 bin_dir="" tls_addr="" tls_dir=""
  USE_NETNS=1
  local args=("$@")
  while [ $# -gt 0 ]; do
    case $1 in
      --engine) engine=${2:?--engine needs a value}; shift 2 ;;
      --bin-dir) bin_dir=${2:?--bin-dir needs a value}; shift 2 ;;
      --tls) tls_addr=${2:?--tls needs ADDR:PORT CERT_DIR}; tls_dir=${3:?--tls needs CERT_DIR}
             shift 3 ;;
      --no-netns) USE_NETNS=""; shift ;;
      *) die "start: unknown option $1" ;;
    esac
  done
  if daemon_pid >/dev/null; then
    say "$name already runs (pid $(daemon_pid))"
    print_env
    return 0
  fi

  local path_prefix
  if [ -n "$bin_dir" ]; then
    path_prefix="$bin_dir:/usr/sbin:/usr/bin"
  else
    path_prefix=$(engine_path "$engine") || exit 1
  fi
  mkdir -p "$STATE/data" "$RUN/exec"
  chmod 700 "$STATE" "$RUN"
  printf '%s\n' "${args[@]}" >"$ARGS_FILE"
  write_daemon_config
  if [ -n "$USE_NETNS" ]; then
    ensure_netns
  elif [ -e "/run/netns/$NETNS" ]; then
    ip netns delete "$NETNS"  # left from an earlier start with a netns
  fi

  local dockerd_args=(
    --config-file "$STATE/daemon.json"
    --host "unix://$SOCKET"
    --data-root "$STATE/data"
    --exec-root "$RUN/exec"
    --pidfile "$PIDFILE"
    --cgroup-parent "/dockerup-$name"
  )
  if [ -n "$tls_addr" ]; then
    local file
    for file in ca.pem server-cert.pem server-key.pem; do
      [ -r "$tls_dir/$file" ] || die "--tls: $tls_dir/$file missing"
    done
    dockerd_args+=(--host "tcp://$tls_addr" --tlsverify --tlscacert "$tls_dir/ca.pem"
                   --tlscert "$tls_dir/server-cert.pem" --tlskey "$tls_dir/server-key.pem")
  fi

  say "starting $name ($(PATH=$path_prefix command -v dockerd)) on $SOCKET${USE_NETNS:+ in netns $NETNS}"
  rm -f "$SOCKET"
  # setsid + nohup: it must outlive the calling script; PATH decides which containerd,
  # containerd-shim-runc-v2 and docker-proxy this dockerd starts.
  PATH="$path_prefix" in_netns setsid nohup dockerd "${dockerd_args[@]}" \
    >>"$LOG" 2>&1 </dev/null &

  local i
  for ((i = 0; i < START_WAIT * 5; i++)); do
    if answers; then
      say "$name answers ($(server_version))"
      print_env
      return 0
    fi
    sleep 0.2
  done
  say "$name did not answer within ${START_WAIT}s; last lines of $LOG:"
  tail -n 30 "$LOG" >&2 || true
  cmd_stop "$name" --kill >/dev/null 2>&1 || true
  exit 1
}

server_version() {
  curl -s --max-time 5 --unix-socket "$SOCKET" http://localhost/version |
    python3 -c 'import json,sys; v=json.load(sys.stdin); print("Docker", v["Version"], "API", v["ApiVersion"])' \
    2>/dev/null || echo "version unknown"
}

# Mounts a killed daemon left under its data-root or exec-root (lazy: a dead shim may hold one).
unmount_leftovers() {
  local mount_point
  awk '{print $2}' /proc/mounts | { grep -E "^($STATE|$RUN)/" || true; } | sort -r |
    while read -r mount_point; do umount -l "$mount_point" 2>/dev/null || true; done
}

cmd_stop() {
  local name=$1 signal=TERM
  paths "$name"
  [ "${2:-}" = --kill ] && signal=KILL
  local pid
  if ! pid=$(daemon_pid); then
    say "$name is not running"
    return 0
  fi
  say "stopping $name (pid $pid, SIG$signal)"
  kill "-$signal" "$pid"
  local i
  for ((i = 0; i < STOP_WAIT * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name still runs after ${STOP_WAIT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # After SIGKILL its containerd, the shims and the containers go on running (as on a host
  # whose dockerd crashed); the next start finds that containerd again through its pidfile.
  rm -f "$PIDFILE"
}

# What a killed daemon left running, all of it recognisable as ours: the containers' processes
# in the cgroups under /dockerup-NAME (its --cgroup-parent), then containerd and the shims,
# whose command lines name our exec-root. Never anyone else's process.
kill_leftovers() {
  local name=$1 procs pid
  for _ in 1 2 3; do
    for procs in /sys/fs/cgroup/*/"dockerup-$name"/*/cgroup.procs \
                 /sys/fs/cgroup/"dockerup-$name"/*/cgroup.procs; do
      [ -f "$procs" ] || continue
      while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$procs"
    done
    for pid in $(pgrep -f -- "$RUN/exec/" || true); do
      kill -TERM "$pid" 2>/dev/null || true
    done
    own_processes_left || return 0
    sleep 1
  done
  for pid in $(pgrep -f -- "$RUN/exec/" || true); do kill -KILL "$pid" 2>/dev/null || true; done
}

own_processes_left() { pgrep -f -- "$RUN/exec/" >/dev/null; }

cmd_restart() {
  local name=$1
  paths "$name"
  [ -f "$ARGS_FILE" ] || die "$name was never started"
  local args=()
  mapfile -t args < <(grep -v "^$" "$ARGS_FILE")  # no options: the file holds one empty line
  cmd_stop "$name"
  cmd_start "$name" "${args[@]}"
}

cmd_destroy() {
  local name=$1
  paths "$name"
  cmd_stop "$name"
  kill_leftovers "$name"
  unmount_leftovers
  rmdir /sys/fs/cgroup/*/"dockerup-$name"/* /sys/fs/cgroup/*/"dockerup-$name" 2>/dev/null || true
  rm -rf "$STATE" "$RUN"
  if [ -e "/run/netns/$NETNS" ]; then ip netns delete "$NETNS" || true; fi
  say "destroyed $name"
}

cmd_exec() {
  local name=$1
  shift
  paths "$name"
  [ $# -gt 0 ] || die "exec: no command"
  DOCKER_HOST="unix://$SOCKET" in_netns "$@"
}

main() {
  local command=${1:-}
  [ $# -ge 1 ] && shift
  case $command in
    fetch) engine_path "${1:-debian13}" | cut -d: -f1 ;;
    start) [ $# -ge 1 ] || die "start NAME"; cmd_start "$@" ;;
    stop) [ $# -ge 1 ] || die "stop NAME"; cmd_stop "$@" ;;
    restart) [ $# -ge 1 ] || die "restart NAME"; cmd_restart "$1" ;;
    destroy) [ $# -ge 1 ] || die "destroy NAME"; cmd_destroy "$1" ;;
    env) [ $# -ge 1 ] || die "env NAME"; paths "$1"; print_env ;;
    exec) [ $# -ge 2 ] || die "exec NAME COMMAND..."; cmd_exec "$@" ;;
    status) [ $# -ge 1 ] || die "status NAME"; paths "$1"; answers ;;
    *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
