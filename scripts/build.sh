#!/usr/bin/env bash
# Configures (once) and builds dockerup.
#   scripts/build.sh [--dir DIR] [MESON_SETUP_ARGS...]
# Default DIR is build/. Meson arguments apply on the first setup and are re-applied with
# `meson configure` afterwards, so `scripts/build.sh -Dwerror=true` works on an existing tree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir="$top/build"
if [ "${1:-}" = "--dir" ]; then
  dir=$2
  shift 2
fi

if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$top" "$@"
elif [ $# -gt 0 ]; then
  meson configure "$dir" "$@"
fi
ninja -C "$dir"
