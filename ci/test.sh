#!/usr/bin/env bash
# Installs what is needed, builds (release, then ASan+UBSan) and runs the whole test suite
# in both builds. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
# The VM test (usbip attach through the kernel, label vm) is part of the suite: install qemu too.
MTK_WITH_VM=1 bash ci/install-deps.sh
bash ci/check-format.sh
for flavour in release asan; do
  bash ci/build.sh "$flavour"
  echo "== tests: $flavour build"
  (cd "build/$flavour" && ctest -j2 --timeout 300 --output-on-failure)
done
echo "ci/test.sh: all tests passed in $((SECONDS - start)) s"
