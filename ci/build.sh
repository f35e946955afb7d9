#!/usr/bin/env bash
# Configures and builds one flavour of the project with Ninja (and ccache when present).
#   ci/build.sh release   -> build/release  (optimised, with debug info)
#   ci/build.sh asan      -> build/asan     (AddressSanitizer + UndefinedBehaviorSanitizer)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case $flavour in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DMTK_SANITIZE=ON -DMTK_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS=-O1) ;;
  *) echo "usage: ci/build.sh release|asan" >&2; exit 2 ;;
esac
if [[ ! -f build/$flavour/build.ninja ]]; then
  cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
fi
ninja -C "build/$flavour" -j"$(nproc)" >"build/$flavour.log" 2>&1 || {
  grep -E -A20 "FAILED|error:" "build/$flavour.log" | head -80
  echo "ci/build.sh: the $flavour build failed (full log: build/$flavour.log)" >&2
  exit 1
}
echo "ci/build.sh: $flavour build ready in build/$flavour"
