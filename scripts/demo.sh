#!/usr/bin/env bash
# A one-minute look at dockerup (README quick start, command 1): installs the Debian packages,
# builds, starts dockerd if needed, builds a demo image locally (busybox httpd, no registry),
# and lets one dockerup run launch the containers of containers.d-examples/demo/.
# Afterwards: `docker ps` shows them and the page answers on 127.0.0.1.
# Remove them with: docker rm -f dockerup-demo-web dockerup-demo-data
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
docker=/usr/bin/docker
demo_image=dockerup-demo/web:1
demo_port=8780  # the hostPort in containers.d-examples/demo/web.json

bash scripts/install-deps.sh
bash scripts/build.sh
bash scripts/ensure-dockerd.sh
bash scripts/make-test-images.sh  # the busybox base image the demo image starts from

echo "demo: building $demo_image"
context=$(mktemp -d /tmp/dockerup-demo-image.XXXXXX)
trap 'rm -rf "$context"' EXIT
# A fixed place, so a second demo run finds its own containers and shows that nothing changes.
# Not under /tmp: another user could create it there first (dockerup would refuse it).
workdir=${DEMO_DIR:-/var/lib/dockerup-demo}
install -d -m 0700 "$workdir"
cat >"$context/index.html" <<'HTML'
<!doctype html>
<title>dockerup demo</title>
<h1>Hello from a container dockerup launched</h1>
HTML
cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM dockerup-test/busybox:base
COPY index.html /www/index.html
EXPOSE 80
CMD ["httpd", "-f", "-p", "80", "-h", "/www"]
DOCKERFILE
"$docker" build -q -t "$demo_image" "$context" >/dev/null

confdir="$workdir/containers.d"
rm -rf "$confdir"
mkdir -p "$confdir"
cp containers.d-examples/demo/*.json "$confdir/"
chmod 644 "$confdir"/*.json  # dockerup refuses group/world-writable files (strict_modes)

echo "demo: dockerup --config etc/dockerup.conf --confdir $confdir --cache $workdir/cache --no-pull -v"
status=0
build/src/app/dockerup --config etc/dockerup.conf --confdir "$confdir" --cache "$workdir/cache" \
  --no-pull -v || status=$?
echo "demo: dockerup exited with $status"

echo
"$docker" ps --filter label=io.dockerup.managed=true --filter name=dockerup-demo- \
  --format 'table {{.Names}}\t{{.Image}}\t{{.Status}}\t{{.Ports}}'

echo
echo "demo: curl http://127.0.0.1:$demo_port/"
for _ in $(seq 1 20); do
  curl -fsS --max-time 2 "http://127.0.0.1:$demo_port/" && break
  sleep 0.5
done
echo
echo "demo: run it again and nothing changes; edit containers.d-examples/demo/web.json (say, the"
echo "demo: env) and rerun to see the container replaced. The files dockerup read: $confdir"
echo "demo: clean up: docker rm -f -v dockerup-demo-web dockerup-demo-data"
exit "$status"
