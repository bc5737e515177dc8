#!/usr/bin/env bash
# Builds the local images the integration tests run, without Docker Hub or any registry:
#   dockerup-test/busybox:base  a root filesystem holding only busybox-static and its applets
#   dockerup-test/app:v1, :v2   base + a web page served by busybox httpd on port 8080; the two
#                               differ in content and label, so their image IDs differ
# Idempotent: the base carries a label with a digest of its recipe and is re-imported only when
# that changes; the others are `docker build`s that the build cache makes instant on reruns.
set -euo pipefail

docker=/usr/bin/docker
busybox=/bin/busybox
base=dockerup-test/busybox:base
recipe_version=1  # bump when the root filesystem layout below changes

if [ ! -x "$busybox" ]; then
  echo "make-test-images: $busybox missing (apt-get install busybox-static)" >&2
  exit 1
fi
# ldd succeeds only on dynamic executables; a dynamic busybox would not run in an empty rootfs.
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
  echo "make-test-images: $busybox is not static (apt-get install busybox-static)" >&2
  exit 1
fi

recipe_digest=$( (echo "$recipe_version"; sha256sum "$busybox") | sha256sum | cut -c1-16)

base_is_current() {
  local current
  current=$("$docker" image inspect "$base" \
    --format '{{index .Config.Labels "dockerup-test.recipe"}}' 2>/dev/null) || return 1
  [ "$current" = "$recipe_digest" ]
}

import_base() {
  local rootfs
  rootfs=$(mktemp -d /tmp/dockerup-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' RETURN
  mkdir -p "$rootfs"/{bin,sbin,etc,tmp,root,www,proc,sys,dev}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  # Every applet, so tests can use whatever they need (sh, sleep, httpd, nc, wget, env, ...).
  local applet
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  echo 'base' >"$rootfs/www/index.html"
  tar -C "$rootfs" -c . | "$docker" import \
    --change 'ENV PATH=/bin:/sbin' \
    --change 'CMD ["/bin/sh"]' \
    --change "LABEL dockerup-test.recipe=$recipe_digest" \
    - "$base" >/dev/null
  echo "make-test-images: imported $base"
}

build_app() {
  local version=$1 context
  context=$(mktemp -d /tmp/dockerup-app.XXXXXX)
  trap 'rm -rf "$context"' RETURN
  cat >"$context/Dockerfile" <<DOCKERFILE
FROM $base
LABEL dockerup-test.app=$version
RUN echo "app $version" > /www/index.html
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
DOCKERFILE
  "$docker" build -q -t "dockerup-test/app:$version" "$context" >/dev/null
  echo "make-test-images: built dockerup-test/app:$version"
}

base_is_current || import_base
build_app v1
build_app v2
