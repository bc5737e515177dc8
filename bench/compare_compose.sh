#!/usr/bin/env bash
# dockerup against docker-compose 1.29 (`up -d`) on the real dockerd, same busybox containers.
#
#   bench/compare_compose.sh            the full matrix: N = 10 50 100, REPEATS=5
#   bench/compare_compose.sh --smoke    N=2, REPEATS=1, IDLE_RUNS=2: checks the bench still works
#
# For each N and repeat, the two tools take turns (the order flips every repeat), each from
# nothing: converge (N new containers), no-op, replace all (every spec's env changed), one spec
# changed; then its containers are removed before the other tool starts, so neither pays for the
# other's containers. Equal terms: same image and command, restart "always", 1 s stop grace
# (dockerup stop_timeout=1, compose stop_grace_period: 1s), the default bridge network (compose
# network_mode: bridge, so no project network either), no pulls (pull=false; compose pulls only
# missing images), no image clean-up (gc=off: compose has none). `up -d` returns once the
# containers are started without looking at them again, so dockerup gets start_wait=0: it still
# inspects each new container once after starting it, which compose does not.
# Compose's environment: COMPOSE_PARALLEL_LIMIT=N+64 and COMPOSE_HTTP_TIMEOUT=TOOL_TIMEOUT. 1.29's
# limit (default 64) is one semaphore taken twice per service, by the service's thread and then by
# its container's thread under it; with more than 64 services every permit can end up held by a
# service thread waiting for its container thread, and `up -d` stops for good (measured: 36 of 100
# created, then nothing; docker/compose#5864, #6705, #8226). N+64 leaves compose its 64 container
# operations at once beside the N service threads, so it cannot deadlock; at N=50 it was no faster
# than the default 64 (3 alternating runs each). The HTTP timeout only keeps a slow answer from
# the engine from failing compose before TOOL_TIMEOUT, which bounds each run of either tool anyway.
# Once per N: Engine API calls of one no-op run of each tool (through bench/api_proxy.py), and
# for `dockerup --server --interval 1`: PSS (median and maximum), RSS and anonymous PSS sampled
# every 0.5 s over IDLE_RUNS idle runs after 3 warm-up runs (/proc/PID/smaps_rollup), and CPU time
# per idle run over the same runs (/proc/PID/stat utime+stime).
# Results: OUT/raw.csv, OUT/metrics.csv, and from bench/report.py OUT/compare_compose.md and
# OUT/compare_compose.png (OUT defaults to bench/results). Everything it creates carries the
# label dockerup-bench=PREFIX and is removed on exit, Ctrl-C included; nothing else is touched.
#
# Environment: SOCKET (the engine's Unix socket; default: DOCKER_HOST's, else
# /var/run/docker.sock; a private daemon: scripts/private-dockerd.sh exec NAME bench/compare_compose.sh), NS ("10 50 100"), REPEATS (5), REPEATS_100 (repeats for N >= 100, default
# REPEATS), IDLE_RUNS (20), TOOL_TIMEOUT (600 s per run of either tool), COMPOSE_OPS (64: compose's
# container operations at once, its parallel limit is N plus this), DOCKERUP (build/src/app/dockerup), DOCKERUP_COMMIT (what the
# binary was built from, for the report; default: this checkout), OUT, EXTRA_CONF (lines appended
# to the bench's dockerup.conf, e.g. "parallel=8").
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
DOCKERUP=${DOCKERUP:-$top/build/src/app/dockerup}
DOCKER=${DOCKER:-/usr/bin/docker}
COMPOSE=${COMPOSE:-/usr/bin/docker-compose}
# The engine: SOCKET, else DOCKER_HOST's unix socket (as `private-dockerd.sh exec` sets it).
case "${DOCKER_HOST:-}" in unix://*) SOCKET=${SOCKET:-${DOCKER_HOST#unix://}} ;; esac
SOCKET=${SOCKET:-/var/run/docker.sock}
export DOCKER_HOST="unix://$SOCKET"  # the docker CLI's checks and clean-up ask the same engine
PYTHON=${PYTHON:-/usr/bin/python3}  # Debian's, which has python3-matplotlib
NS=${NS:-10 50 100}
REPEATS=${REPEATS:-5}
REPEATS_100=${REPEATS_100:-$REPEATS}
IDLE_RUNS=${IDLE_RUNS:-20}
OUT=${OUT:-$top/bench/results}
EXTRA_CONF=${EXTRA_CONF:-}
TOOL_TIMEOUT=${TOOL_TIMEOUT:-600}  # seconds one run of either tool may take before it counts as failed
COMPOSE_OPS=${COMPOSE_OPS:-64}  # compose 1.29's default parallel limit, kept clear of its service threads
IMAGE=dockerup-test/busybox:base
if [ "${1:-}" = --smoke ]; then
  NS=2 REPEATS=1 REPEATS_100=1 IDLE_RUNS=2
  OUT=${SMOKE_OUT:-$(mktemp -d /tmp/dockerup-bench-smoke.XXXXXX)}
fi

prefix="dubench$$"  # compose project names must be lower-case alphanumerics
work=$(mktemp -d "/tmp/dockerup-bench.XXXXXX")
proxy_pid="" server_pid=""

say() { echo "bench: $*" >&2; }

# Bounded: a wedged engine (seen once: runc create hung) must not hang the bench or its clean-up.
remove_containers() {
  timeout 60 "$DOCKER" ps -aq --filter "label=dockerup-bench=$prefix" |
    xargs -r timeout 300 "$DOCKER" rm -f >/dev/null
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e  # clean up as much as possible whatever fails
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
  remove_containers || true
  # network_mode: bridge means compose makes no network; remove one anyway if a version did.
  "$DOCKER" network ls -q --filter "label=com.docker.compose.project=${prefix}c" |
    xargs -r "$DOCKER" network rm >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in "$DOCKERUP" "$COMPOSE" "$DOCKER"; do
  [ -x "$tool" ] || { say "$tool missing (build dockerup; apt-get install docker-compose)"; exit 2; }
done
"$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 || bash "$top/scripts/make-test-images.sh" >&2
mkdir -p "$OUT" "$work/du/conf" "$work/du/cache" "$work/compose"
echo "tool,n,scenario,repeat,seconds,ok,load1" > "$OUT/raw.csv"
echo "n,metric,tool,value" > "$OUT/metrics.csv"

# The counting proxy; timed runs go straight to the socket so neither tool pays for it.
"$PYTHON" "$top/bench/api_proxy.py" "$work/proxy.sock" "$SOCKET" "$work/api.log" &
proxy_pid=$!
for _ in $(seq 100); do [ -S "$work/proxy.sock" ] && break; sleep 0.1; done
[ -S "$work/proxy.sock" ] || { say "the API proxy did not start"; exit 1; }
touch "$work/api.log"

{
  printf 'stop_timeout=1\nstart_wait=0\npull=false\ngc=off\n'
  if [ -n "$EXTRA_CONF" ]; then printf '%s\n' "$EXTRA_CONF"; fi
} > "$work/du/dockerup.conf"

# write_specs TOOL N GEN ONE: every container's env BENCH_GEN=GEN, container 1 also BENCH_ONE=ONE.
write_specs() {
  local tool=$1 n=$2 gen=$3 one=$4 i extra
  if [ "$tool" = dockerup ]; then
    rm -f "$work/du/conf/"*.json
    for i in $(seq 1 "$n"); do
      extra=""; [ "$i" = 1 ] && extra=",\"BENCH_ONE\":\"$one\""
      printf '{"name":"%s-d-%d","image":"%s","command":"sleep 3600","restart":"always",%s}\n' \
        "$prefix" "$i" "$IMAGE" \
        "\"labels\":{\"dockerup-bench\":\"$prefix\"},\"env\":{\"BENCH_GEN\":\"$gen\"$extra}" \
        > "$work/du/conf/c$i.json"
    done
  else
    {
      printf 'version: "2.4"\nservices:\n'
      for i in $(seq 1 "$n"); do
        printf '  c%d:\n    image: %s\n    container_name: %s-c-%d\n' "$i" "$IMAGE" "$prefix" "$i"
        printf '    command: sleep 3600\n    restart: always\n    stop_grace_period: 1s\n'
        printf '    network_mode: bridge\n    labels:\n      dockerup-bench: "%s"\n' "$prefix"
        printf '    environment:\n      BENCH_GEN: "%s"\n' "$gen"
        if [ "$i" = 1 ]; then printf '      BENCH_ONE: "%s"\n' "$one"; fi
      done
    } > "$work/compose/docker-compose.yml"
  fi
}

# run_tool TOOL N [--proxy]: one `dockerup` run or one `docker-compose up -d` over N services,
# bounded by TOOL_TIMEOUT (a hung run counts as failed instead of stopping the bench).
run_tool() {
  local tool=$1 n=$2 host="unix://$SOCKET"
  [ "${3:-}" = --proxy ] && host="unix://$work/proxy.sock"
  if [ "$tool" = dockerup ]; then
    timeout -k 10 "$TOOL_TIMEOUT" "$DOCKERUP" --config "$work/du/dockerup.conf" --confdir "$work/du/conf" \
      --cache "$work/du/cache" --remote "$host" >>"$work/dockerup.log" 2>&1
  else
    DOCKER_HOST=$host COMPOSE_PARALLEL_LIMIT=$((n + COMPOSE_OPS)) COMPOSE_HTTP_TIMEOUT=$TOOL_TIMEOUT \
      timeout -k 10 "$TOOL_TIMEOUT" "$COMPOSE" --no-ansi -p "${prefix}c" -f "$work/compose/docker-compose.yml" \
      up -d >>"$work/compose.log" 2>&1
  fi
}

# check TOOL N GEN: N running containers of TOOL, and the last one has BENCH_GEN=GEN.
check() {
  local tool=$1 n=$2 gen=$3 letter=d running env
  [ "$tool" = compose ] && letter=c
  running=$("$DOCKER" ps -q --filter "label=dockerup-bench=$prefix" \
    --filter "name=^/$prefix-$letter-" --filter status=running | wc -l)
  env=$("$DOCKER" inspect --format '{{range .Config.Env}}{{println .}}{{end}}' \
    "$prefix-$letter-$n" 2>/dev/null | grep '^BENCH_GEN=' || true)
  [ "$running" = "$n" ] && [ "$env" = "BENCH_GEN=$gen" ]
}

# timed TOOL N SCENARIO REPEAT GEN: times one run and records it with whether it did the work.
timed() {
  local tool=$1 n=$2 scenario=$3 repeat=$4 gen=$5 start end ok=1
  start=$EPOCHREALTIME
  run_tool "$tool" "$n" || ok=0
  end=$EPOCHREALTIME
  check "$tool" "$n" "$gen" || ok=0
  [ "$ok" = 1 ] || say "$tool $scenario N=$n repeat $repeat did not converge (see logs below)"
  # The machine is shared: the 1-minute load at the end of each run goes with it.
  echo "$tool,$n,$scenario,$repeat,$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}'),$ok,$(cut -d' ' -f1 /proc/loadavg)" \
    >> "$OUT/raw.csv"
  [ "$ok" = 1 ] || { tail -5 "$work/$tool.log" >&2; return 0; }
}

reset_tool() {
  remove_containers || { say "the engine did not list or remove the containers in time: wedged?"; exit 1; }
  rm -rf "$work/du/cache" && mkdir -p "$work/du/cache"
}

# api_calls TOOL N: Engine API calls of one no-op run through the counting proxy.
api_calls() {
  local tool=$1 n=$2 before after
  before=$(wc -l < "$work/api.log")
  run_tool "$tool" "$n" --proxy
  after=$(wc -l < "$work/api.log")
  echo "$n,api_calls_noop,$tool,$((after - before))" >> "$OUT/metrics.csv"
  tail -n "$((after - before))" "$work/api.log" | sed 's/[?].*//; s/[0-9a-f]\{64\}/ID/' |
    sort | uniq -c | sort -rn > "$work/api-$tool-$n.txt"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
runs_seen() { grep -c '^GET /v[0-9.]*/images/json' "$work/api.log" || true; }

# idle_server N: `dockerup --server --interval 1` over N converged containers, through the proxy
# so its runs can be counted (each run lists the images once).
idle_server() {
  local n=$1 t0 r0 t1 r1 i hz
  hz=$(getconf CLK_TCK)
  "$DOCKERUP" --server --interval 1 --config "$work/du/dockerup.conf" --confdir "$work/du/conf" \
    --cache "$work/du/cache" --remote "unix://$work/proxy.sock" >>"$work/dockerup.log" 2>&1 &
  server_pid=$!
  r0=$(runs_seen)
  for i in $(seq 300); do [ "$(runs_seen)" -ge $((r0 + 3)) ] && break; sleep 0.1; done
  t0=$(cpu_ticks "$server_pid") r0=$(runs_seen)
  : > "$work/smaps.txt"
  for i in $(seq $((IDLE_RUNS * 30))); do
    [ "$(runs_seen)" -ge $((r0 + IDLE_RUNS)) ] && break
    # The file-backed part of PSS moves with whatever else maps the same libraries at that
    # moment (libcrypto, libstdc++): sampled throughout, reported as median and maximum.
    [ $((i % 5)) = 0 ] && awk '/^(Pss|Rss|Pss_Anon):/{printf "%s %s ", $1, $2} END{print ""}' \
      "/proc/$server_pid/smaps_rollup" >> "$work/smaps.txt"
    sleep 0.1
  done
  t1=$(cpu_ticks "$server_pid") r1=$(runs_seen)
  "$PYTHON" - "$n" "$work/smaps.txt" >> "$OUT/metrics.csv" <<'PY'
import statistics, sys
n, path = sys.argv[1], sys.argv[2]
values = {}
for line in open(path):
    words = line.split()
    for key, value in zip(words[::2], words[1::2]):
        values.setdefault(key.rstrip(":"), []).append(int(value))
if values:
    for metric, key, how in [("pss_kb", "Pss", statistics.median_low), ("pss_max_kb", "Pss", max),
                             ("rss_kb", "Rss", statistics.median_low),
                             ("pss_anon_kb", "Pss_Anon", statistics.median_low)]:
        print(f"{n},{metric},dockerup,{how(values[key])}")
    print(f"{n},memory_samples,dockerup,{len(values['Pss'])}")
PY
  awk -v n="$n" -v t="$((t1 - t0))" -v r="$((r1 - r0))" -v hz="$hz" \
    'BEGIN{ if (r > 0) printf "%s,cpu_ms_per_idle_run,dockerup,%.2f\n%s,idle_runs,dockerup,%d\n", n, t*1000/hz/r, n, r }' \
    >> "$OUT/metrics.csv"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# one_tool TOOL N REPEAT: the four scenarios, from nothing, then the tool's containers go.
one_tool() {
  local tool=$1 n=$2 repeat=$3
  reset_tool
  write_specs "$tool" "$n" 0 0; timed "$tool" "$n" converge "$repeat" 0
  timed "$tool" "$n" noop "$repeat" 0
  if [ "$repeat" = 1 ]; then
    api_calls "$tool" "$n"
    [ "$tool" = dockerup ] && idle_server "$n"
  fi
  write_specs "$tool" "$n" 1 0; timed "$tool" "$n" replace_all "$repeat" 1
  write_specs "$tool" "$n" 1 1; timed "$tool" "$n" replace_one "$repeat" 1
  reset_tool
}

say "dockerup $("$DOCKERUP" --version 2>&1 | head -1); $("$COMPOSE" version --short 2>/dev/null)"
say "N=[$NS] repeats=$REPEATS (N>=100: $REPEATS_100) idle_runs=$IDLE_RUNS out=$OUT"
{
  echo "dockerup_version=$("$DOCKERUP" --version 2>&1 | head -1)"
  echo "dockerup_commit=${DOCKERUP_COMMIT:-$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
  echo "compose_version=$("$COMPOSE" version --short 2>/dev/null)"
  echo "compose_env=COMPOSE_PARALLEL_LIMIT=N+$COMPOSE_OPS COMPOSE_HTTP_TIMEOUT=$TOOL_TIMEOUT"
  echo "engine_version=$("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null)"
  echo "engine_socket=$SOCKET"
  echo "cpus=$(nproc)"
  echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "repeats=$REPEATS"
  echo "repeats_100=$REPEATS_100"
  echo "idle_runs=$IDLE_RUNS"
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  sed 's/^/dockerup_conf: /' "$work/du/dockerup.conf"
} > "$OUT/env.txt"

for n in $NS; do
  repeats=$REPEATS
  [ "$n" -ge 100 ] && repeats=$REPEATS_100
  for repeat in $(seq 1 "$repeats"); do
    if [ $((repeat % 2)) = 1 ]; then order="dockerup compose"; else order="compose dockerup"; fi
    for tool in $order; do
      say "N=$n repeat $repeat/$repeats: $tool"
      one_tool "$tool" "$n" "$repeat"
    done
  done
  for tool in dockerup compose; do
    { echo "# $tool N=$n: Engine API calls of one no-op run"; cat "$work/api-$tool-$n.txt"; } >&2
  done
done
echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/env.txt"

"$PYTHON" "$top/bench/report.py" "$OUT"
