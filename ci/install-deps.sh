#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run its demo.
# Idempotent and quiet: when everything is present it checks and returns without touching apt.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libusb-1.0-0-dev libboost-dev libboost-system-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev
  libssl-dev zlib1g-dev
  usbip
)
# The VM test (kernel path) needs these; installed only when asked, they are large.
VM_PACKAGES=(qemu-system-x86 busybox-static kmod usbutils cpio xz-utils)

want=("${PACKAGES[@]}")
if [[ "${MTK_WITH_VM:-0}" == 1 ]]; then want+=("${VM_PACKAGES[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
echo "ci/install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
