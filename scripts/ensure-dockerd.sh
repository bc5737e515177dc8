#!/usr/bin/env bash
# Makes sure a Docker daemon answers on /var/run/docker.sock. Starts /usr/sbin/dockerd in the
# background when none does: CI machines and containers have no systemd to do it for us.
set -euo pipefail

docker=/usr/bin/docker
socket=/var/run/docker.sock
log=${DOCKERD_LOG:-/var/log/dockerd-dockerup.log}
wait_seconds=${DOCKERD_WAIT:-60}

answers() {
  DOCKER_HOST="unix://$socket" timeout 10 "$docker" info >/dev/null 2>&1
}

if answers; then
  echo "ensure-dockerd: dockerd answers on $socket"
  exit 0
fi

if [ ! -x /usr/sbin/dockerd ]; then
  echo "ensure-dockerd: /usr/sbin/dockerd not installed (run scripts/install-deps.sh)" >&2
  exit 1
fi

echo "ensure-dockerd: starting /usr/sbin/dockerd (log: $log)"
mkdir -p "$(dirname "$log")"
# setsid + nohup: the daemon must outlive this script and the CI step that called it.
setsid nohup /usr/sbin/dockerd --host "unix://$socket" >>"$log" 2>&1 </dev/null &

for ((i = 0; i < wait_seconds; i++)); do
  if answers; then
    echo "ensure-dockerd: dockerd answers after ${i}s"
    exit 0
  fi
  sleep 1
done

echo "ensure-dockerd: dockerd did not answer within ${wait_seconds}s; last lines of $log:" >&2
tail -n 30 "$log" >&2 || true
exit 1
