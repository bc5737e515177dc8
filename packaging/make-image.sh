#!/usr/bin/env bash
# Assembles the dockerup container image with no base image and no network: the built binary,
# every shared library `ldd` lists for it, the dynamic loader, the NSS modules glibc loads at run
# time, CA certificates and a default dockerup.conf, imported with `docker import`. The result is
# the same image packaging/Dockerfile builds, for machines that cannot pull (CI).
#   packaging/make-image.sh [--binary PATH] [--tag TAG]
# Defaults: build/src/app/dockerup, dockerup:local. Run the image with the Docker socket,
# /etc/dockerup and the cache dir mounted (see dockerup(8), EXAMPLES). HOME is /etc/dockerup, as
# the original ran, so registry credentials live in /etc/dockerup/.docker/config.json.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
docker=/usr/bin/docker
binary=$top/build/src/app/dockerup
tag=dockerup:local
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    *) echo "usage: $0 [--binary PATH] [--tag TAG]" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "make-image: $binary not found (run scripts/build.sh)" >&2; exit 1; }

rootfs=$(mktemp -d /tmp/dockerup-image.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT

# copy_path PATH: PATH into the root file system at the same place; symlinks are kept and
# what they point to is copied too, so the loader finds libraries under their sonames.
copy_path() {
  local path=$1 target
  [ -e "$rootfs$path" ] && return 0
  mkdir -p "$rootfs$(dirname "$path")"
  if [ -L "$path" ]; then
    target=$(readlink "$path")
    cp -P "$path" "$rootfs$path"
    [[ "$target" == /* ]] || target="$(dirname "$path")/$target"
    copy_path "$target"
  else
    cp "$path" "$rootfs$path"
  fi
}

mkdir -p "$rootfs"/{usr/sbin,etc/dockerup/containers.d,var/cache/dockerup,tmp}
chmod 1777 "$rootfs/tmp"
cp "$binary" "$rootfs/usr/sbin/dockerup"
strip --strip-unneeded "$rootfs/usr/sbin/dockerup" 2>/dev/null || true

# Libraries: "libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)" and the loader "/lib64/ld-linux...".
copy_libraries() {
  local library
  while read -r library; do
    copy_path "$library"
  done < <(LC_ALL=C ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}
copy_libraries "$binary"

# Amazon ECR's credential helper (Debian amazon-ecr-credential-helper), when this machine has
# it: with {"credHelpers": {"ACCOUNT.dkr.ecr.REGION.amazonaws.com": "ecr-login"}} in the Docker
# client config, an EC2 host pulls from ECR with its instance role (README "Amazon ECR").
ecr_helper=$(command -v docker-credential-ecr-login || true)
if [ -n "$ecr_helper" ]; then
  mkdir -p "$rootfs/usr/bin"
  cp "$ecr_helper" "$rootfs/usr/bin/docker-credential-ecr-login"
  copy_libraries "$ecr_helper"
  echo "make-image: includes docker-credential-ecr-login"
else
  echo "make-image: docker-credential-ecr-login not installed: the image cannot pull from ECR by itself"
fi

# glibc loads NSS modules with dlopen (ldd cannot see them): needed to resolve tcp://HOST names.
libdir=$(dirname "$(LC_ALL=C ldd "$binary" | awk '$1 == "libc.so.6" { print $3 }')")
for module in "$libdir"/libnss_files.so.2 "$libdir"/libnss_dns.so.2; do
  [ -e "$module" ] && copy_path "$module"
done
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
echo 'root:x:0:0:root:/etc/dockerup:/sbin/nologin' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
# CA certificates: for https:// registries and metadata endpoints.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
fi
install -m 644 "$top/etc/dockerup.conf" "$rootfs/etc/dockerup/dockerup.conf"

version=$("$binary" --version | awk '{ print $2 }')
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . |
  "$docker" import \
    --change 'ENTRYPOINT ["/usr/sbin/dockerup"]' \
    --change 'ENV PATH=/usr/sbin:/usr/bin HOME=/etc/dockerup' \
    --change 'CMD ["--server"]' \
    --change 'VOLUME ["/var/cache/dockerup"]' \
    --change "LABEL org.opencontainers.image.title=dockerup org.opencontainers.image.version=$version" \
    - "$tag" >/dev/null
echo "make-image: imported $tag ($(du -sh "$rootfs" | cut -f1) root file system)"
