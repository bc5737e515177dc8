#!/usr/bin/env bash
# Wall time and Engine API calls of a no-op `dockerup` run against the real dockerd, for N
# declared containers (default 20). Starts the containers with one run, then times RUNS no-op
# runs. Containers are named bench-<pid>-<i> and removed at the end.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
DOCKERUP=${DOCKERUP:-$top/build/src/app/dockerup}
DOCKER=${DOCKER:-/usr/bin/docker}
count=${1:-20}
runs=${RUNS:-10}
work=$(mktemp -d)
prefix="bench-$$"
cleanup() {
  "$DOCKER" ps -aq --filter "name=^${prefix}-" | xargs -r "$DOCKER" rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/conf" "$work/cache"
printf 'stop_timeout=1\npull=false\n' > "$work/dockerup.conf"
for i in $(seq 1 "$count"); do
  printf '{"name":"%s-%d","image":"dockerup-test/busybox:base","command":"sleep 3600","labels":{"dockerup-bench":"1"}}\n' \
    "$prefix" "$i" > "$work/conf/c$i.json"
done
run() { "$DOCKERUP" --config "$work/dockerup.conf" --confdir "$work/conf" --cache "$work/cache" "$@"; }
run >/dev/null 2>&1
start=$(date +%s%N)
for _ in $(seq 1 "$runs"); do run >/dev/null 2>&1; done
end=$(date +%s%N)
calls=$(run -v 2>&1 | grep -c '^.* debug docker: ' || true)
echo "containers=$count runs=$runs mean_ms=$(( (end - start) / runs / 1000000 )) api_calls_logged=$calls"
