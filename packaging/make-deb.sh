#!/usr/bin/env bash
# Builds dockerup_<version>_<arch>.deb with dpkg-deb from a `meson install --destdir` tree:
# /usr/sbin/dockerup, /etc/dockerup/dockerup.conf (a conffile), /etc/dockerup/containers.d/,
# /usr/lib/systemd/system/dockerup.service, the man pages. Depends lists the Debian packages
# that hold the shared libraries the binary links (found with objdump and dpkg -S).
#   packaging/make-deb.sh [--out DIR] [--build-dir DIR] [--binary FILE]
# Default DIR: build-deb/ (build tree) and the current directory (the .deb). --binary packages
# FILE as /usr/sbin/dockerup instead of compiling a release build (the tests package the binary
# they ran, which saves a full compile; the build dir then only provides the other files).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$PWD
build=$top/build-deb
given_binary=""
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --binary) given_binary=$(readlink -f "$2"); shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--build-dir DIR] [--binary FILE]" >&2; exit 2 ;;
  esac
done

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" --prefix=/usr --sysconfdir=/etc --buildtype=release >/dev/null
fi
[ -n "$given_binary" ] || ninja -C "$build" src/app/dockerup >/dev/null

root=$(mktemp -d /tmp/dockerup-deb.XXXXXX)
chmod 755 "$root"  # mktemp made it 0700: it becomes the package's "/"
trap 'rm -rf "$root"' EXIT
if [ -n "$given_binary" ]; then
  meson install -C "$build" --no-rebuild --quiet --destdir "$root" --tags config,man
  install -D -m 755 "$given_binary" "$root/usr/sbin/dockerup"
else
  meson install -C "$build" --no-rebuild --quiet --destdir "$root"
fi
strip --strip-unneeded "$root/usr/sbin/dockerup"
gzip -9n "$root"/usr/share/man/man*/*

binary=$root/usr/sbin/dockerup
version=$("$binary" --version | awk '{ print $2 }')
arch=$(dpkg --print-architecture)

# package_of SONAME: the package that ships the library the loader would use.
package_of() {
  local path
  path=$(ldconfig -p | awk -v lib="$1" '$1 == lib { print $NF; exit }')
  [ -n "$path" ] || { echo "make-deb: $1 not found by ldconfig" >&2; return 1; }
  # With merged /usr the file may be registered under /lib or /usr/lib.
  { dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null ||
    dpkg -S "${path#/usr}" 2>/dev/null || dpkg -S "/usr$path"; } | head -n 1 | cut -d: -f1
}
depends=$(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }' | while read -r soname; do
  package_of "$soname"
done | sort -u | paste -sd, - | sed 's/,/, /g')

mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: dockerup
Version: $version
Architecture: $arch
Maintainer: dockerup maintainers <root@localhost>
Section: admin
Priority: optional
Depends: $depends
Recommends: docker.io | docker-ce
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Description: keeps this host's Docker containers equal to a declared list
 dockerup reads containers.d/*.json files (and EC2 user-data) declaring the containers a host
 should run, and creates, replaces and removes Docker containers until the host matches.
 Runs once or as a systemd service (Type=notify) with a status file, Prometheus metrics and
 safe replacements that roll back on failure.
CONTROL
find "$root/etc" -type f | sed "s|^$root||" >"$root/DEBIAN/conffiles"

# Maintainer scripts: make systemd see the unit; never start or enable it on its own (the host
# has no containers.d yet). purge removes the cache dir dockerup created.
cat >"$root/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
SCRIPT
cat >"$root/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = purge ]; then rm -rf /var/cache/dockerup; fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
SCRIPT
cat >"$root/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop dockerup.service 2>/dev/null || true
fi
exit 0
SCRIPT
chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm" "$root/DEBIAN/prerm"

mkdir -p "$out"
deb="$out/dockerup_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
