#!/usr/bin/env bash
# Installs everything dockerup needs to build and test on Debian 12, from Debian's own archive.
# Idempotent: when every package is already installed it does not even run `apt-get update`,
# so reruns take well under a second.
set -euo pipefail

packages=(
  g++ meson ninja-build pkg-config
  libcurl4-openssl-dev rapidjson-dev libinih-dev libboost-program-options-dev libfmt-dev
  zlib1g-dev libmicrohttpd-dev doctest-dev
  docker.io docker-registry busybox-static
  python3 curl ca-certificates
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer and the sanitizer runtimes
  python3-yaml openssl iproute2  # contract tests (API specs), TLS test certs, private dockerd netns
  podman containernetworking-plugins  # tests/integration/test_podman.sh: the compatible service
  python3-botocore python3-kubernetes docker-compose  # fleet S3 signatures, export checks
  apache2-utils amazon-ecr-credential-helper  # htpasswd for the auth registry; ECR helper in the image
)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for package in "${packages[@]}"; do
  is_installed "$package" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# --no-install-recommends keeps the image small; nothing here needs a recommended package.
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
